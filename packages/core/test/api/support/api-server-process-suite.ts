import { cleanEnv } from "@tidemark/testkit/process";
import { tempDir } from "@tidemark/testkit/temp-dir";
import { afterAll, afterEach, beforeAll, beforeEach, describe } from "vitest";
import { requireBuilt } from "../../support/built.js";
import { connectTestMysql, type TestMysql } from "../../support/mysql.js";
import { connectTestPostgres, type TestPostgres } from "../../support/postgres.js";
import { type CliResult, runTidemark } from "../../support/run-tidemark.js";
import { type ApiServerProcess, spawnApiServer } from "./spawn-api-server.js";

/** The running case of a {@link describeApiServerProcess} suite: where its processes run, and how. */
export interface ApiServerProcessCase {
  /** The case's own temporary working directory. */
  readonly dir: string;
  /** `cleanEnv` with `TIDEMARK__DATABASE__URL` on the case's fresh, unmigrated database and the suite's `env`. */
  readonly env: NodeJS.ProcessEnv;
  /** Runs `tidemark …args` in {@link dir} with {@link env}. */
  run(...args: string[]): Promise<CliResult>;
  /**
   * Spawns `tidemark api-server …args` in {@link dir} with {@link env} and waits until it listens. A server
   * still running when the case ends is killed (SIGKILL).
   */
  startServer(args: readonly string[]): Promise<ApiServerProcess>;
}

/** Options of {@link describeApiServerProcess}. */
export interface ApiServerProcessSuiteOptions {
  /** The prefix of the cases' temporary directories. */
  tempPrefix: string;
  /** `TIDEMARK__…` variables set on top of the database URL. */
  env?: Record<string, string>;
}

interface CaseDatabase {
  readonly url: string;
  dispose(): Promise<void>;
}

/**
 * Declares the suite `title` three times, each case on a fresh database of its own that real processes (the
 * built `tidemark` CLI and api-server) reach by URL: `${title} (SQLite file)`, `${title} (Postgres)` and
 * `${title} (MySQL)`. The Postgres cases are skipped, with the reason, when no real Postgres is reachable
 * (PGlite has no URL a separate process could use), the MySQL cases when no MySQL is (outside CI).
 *
 * @param title - the suite's title, before the database's name.
 * @param options - temporary directories' prefix, extra environment.
 * @param tests - declares the cases (`it`), reading the running case from `current`.
 */
export function describeApiServerProcess(
  title: string,
  options: ApiServerProcessSuiteOptions,
  tests: (current: ApiServerProcessCase) => void,
): void {
  beforeAll(() => requireBuilt());
  suite(`${title} (SQLite file)`, options, tests, async () => {
    const dir = tempDir(`${options.tempPrefix}db-`);
    return { url: `sqlite://${dir.path}/tidemark.db`, dispose: async () => dir.remove() };
  });
  let postgres: TestPostgres | undefined;
  afterAll(() => postgres?.close());
  suite(`${title} (Postgres)`, options, tests, async () => {
    postgres ??= await connectTestPostgres();
    if (postgres.kind !== "postgres") {
      return "no real Postgres reachable (PGlite has no URL a separate process could use)";
    }
    const schema = await postgres.freshSchema({ migrate: false });
    return { url: schema.url as string, dispose: () => schema.dispose() };
  });
  let mysql: TestMysql | undefined;
  afterAll(() => mysql?.close());
  suite(`${title} (MySQL)`, options, tests, async () => {
    mysql ??= await connectTestMysql();
    if (mysql.skipReason !== null) return mysql.skipReason;
    const fresh = await mysql.freshDatabase({ migrate: false });
    return { url: fresh.url, dispose: () => fresh.dispose() };
  });
}

function suite(
  title: string,
  options: ApiServerProcessSuiteOptions,
  tests: (current: ApiServerProcessCase) => void,
  freshDatabase: () => Promise<CaseDatabase | string>,
): void {
  describe(title, () => {
    let dir: ReturnType<typeof tempDir>;
    let env: NodeJS.ProcessEnv;
    let server: ApiServerProcess | undefined;
    let dispose: (() => Promise<void>) | undefined;

    beforeEach(async (ctx) => {
      dir = tempDir(options.tempPrefix);
      const database = await freshDatabase();
      if (typeof database === "string") {
        ctx.skip(database);
        return;
      }
      dispose = () => database.dispose();
      env = cleanEnv({ TIDEMARK__DATABASE__URL: database.url, ...options.env });
    });
    afterEach(async () => {
      await server?.stop("SIGKILL");
      server = undefined;
      await dispose?.();
      dispose = undefined;
      dir.remove();
    });

    tests({
      get dir() {
        return dir.path;
      },
      get env() {
        return env;
      },
      run: (...args) => runTidemark(args, { cwd: dir.path, env }),
      async startServer(args) {
        server = await spawnApiServer(args, { cwd: dir.path, env });
        return server;
      },
    });
  });
}
