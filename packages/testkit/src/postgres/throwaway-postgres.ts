import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closedPort } from "../process/closed-port.js";

/** Where Debian and Ubuntu install the Postgres server binaries, one directory per major version. */
const POSTGRES_LIB_DIR = "/usr/lib/postgresql";

/**
 * A Postgres cluster of a test's own on a free loopback port (trust auth, user `postgres`), which the test
 * may stop and start at will, unlike the shared test server. Made by {@link startThrowawayPostgres}.
 */
export interface ThrowawayPostgres {
  /** The port it listens on (127.0.0.1 only). */
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:PORT/postgres`. */
  readonly url: string;
  /** Whether the server is running (as far as this handle knows). */
  readonly running: boolean;
  /** Starts the server and waits until it accepts connections. A no-op when running. */
  start(): Promise<void>;
  /** Stops the server at once (`pg_ctl stop -m immediate`, like a crash). A no-op when stopped. */
  stop(): Promise<void>;
  /** Stops the server if running and deletes the cluster's files. Idempotent; never rejects. */
  remove(): Promise<void>;
}

/** Options of {@link startThrowawayPostgres}. */
export interface StartThrowawayPostgresOptions {
  /** Start the server before returning. Default true; false only creates the cluster (`start()` later). */
  readonly start?: boolean;
}

function run(file: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, [...args], { timeout: 120_000 }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout);
      else reject(new Error(`${file} ${args.join(" ")} failed: ${error.message}\n${stderr}`));
    });
  });
}

function versionOf(name: string): number {
  const n = Number.parseFloat(name);
  return Number.isFinite(n) ? n : -1;
}

/**
 * Finds the newest installed Postgres server binaries (`/usr/lib/postgresql/<version>/bin` holding
 * `initdb` and `pg_ctl`), or the directory named by `TIDEMARK_TEST_POSTGRES_BIN`.
 *
 * @returns the directory, or null when none is installed.
 */
export function findPostgresBinDir(): string | null {
  const given = process.env.TIDEMARK_TEST_POSTGRES_BIN;
  const candidates = given
    ? [given]
    : existsSync(POSTGRES_LIB_DIR)
      ? readdirSync(POSTGRES_LIB_DIR)
          .sort((a, b) => versionOf(b) - versionOf(a))
          .map((version) => join(POSTGRES_LIB_DIR, version, "bin"))
      : [];
  return candidates.find((dir) => existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_ctl"))) ?? null;
}

/**
 * Tells whether {@link startThrowawayPostgres} can run here: with `CI=true` missing binaries fail the run
 * (CI must exercise it); elsewhere the caller skips with the returned reason.
 *
 * @returns null when the binaries are there, else why the throwaway-cluster tests are skipped.
 * @throws Error when the binaries are missing and `CI=true`.
 */
export function throwawayPostgresSkipReason(): string | null {
  if (findPostgresBinDir() !== null) return null;
  const problem = `no Postgres server binaries (initdb, pg_ctl) under ${POSTGRES_LIB_DIR}/<version>/bin or TIDEMARK_TEST_POSTGRES_BIN`;
  if (process.env.CI === "true") {
    throw new Error(`${problem}; CI=true requires them (apt-get install -y postgresql)`);
  }
  return `${problem}; install postgresql to run the throwaway-cluster tests`;
}

/**
 * Creates a Postgres cluster in a fresh temporary directory (`initdb`, trust auth) and, unless told not
 * to, starts it on a free 127.0.0.1 port with its socket in that directory. As root (Postgres refuses to
 * run as root) the directory belongs to the `postgres` user and the binaries run through `runuser`. Call
 * `remove()` when done (in `afterEach`/`afterAll`, so it runs when a test fails).
 *
 * @param options - `start`: start the server now (default true).
 * @returns the cluster.
 * @throws Error when the binaries are missing (check {@link throwawayPostgresSkipReason} first) or
 *   `initdb` / `pg_ctl` fail (their stderr is in the message).
 */
export async function startThrowawayPostgres(
  options: StartThrowawayPostgresOptions = {},
): Promise<ThrowawayPostgres> {
  const bin = findPostgresBinDir();
  if (bin === null) throw new Error(throwawayPostgresSkipReason() ?? "no Postgres server binaries");
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), "tidemark-throwaway-pg-"));
  const data = join(dir, "data");
  const log = join(dir, "server.log");
  const pg = (tool: string, args: readonly string[]) =>
    asRoot ? run("runuser", ["-u", "postgres", "--", join(bin, tool), ...args]) : run(join(bin, tool), args);
  let removed = false;
  let running = false;
  const remove = async () => {
    if (removed) return;
    removed = true;
    if (running) await pg("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => {});
    running = false;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (asRoot) {
      const [uid, gid] = await Promise.all([run("id", ["-u", "postgres"]), run("id", ["-g", "postgres"])]);
      chownSync(dir, Number(uid.trim()), Number(gid.trim()));
    }
    await pg("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"]);
  } catch (error) {
    await remove();
    throw error;
  }
  const port = await closedPort();
  const serverOptions = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off`;
  const cluster: ThrowawayPostgres = {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    get running() {
      return running;
    },
    async start() {
      if (running || removed) return;
      await pg("pg_ctl", ["-D", data, "-l", log, "-o", serverOptions, "-w", "-t", "120", "start"]);
      running = true;
    },
    async stop() {
      if (!running) return;
      await pg("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      running = false;
    },
    remove,
  };
  if (options.start ?? true) {
    try {
      await cluster.start();
    } catch (error) {
      await remove();
      throw error;
    }
  }
  return cluster;
}
