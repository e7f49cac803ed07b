import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sharedKeyRequest } from "./shared-key-request.js";

/** The storage account every Azurite accepts. */
export const AZURITE_ACCOUNT_NAME = "devstoreaccount1";
/** The well-known (public) key of {@link AZURITE_ACCOUNT_NAME}. */
export const AZURITE_ACCOUNT_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/** A running Azurite blob service, started by {@link startAzurite}. */
export interface AzuriteHandle {
  /** The blob endpoint, with the account in its path: `http://127.0.0.1:<port>/devstoreaccount1`. */
  readonly endpoint: string;
  /** The TCP port it listens on, on 127.0.0.1. */
  readonly port: number;
  /** The container created at start (fresh for every server). */
  readonly container: string;
  /** {@link AZURITE_ACCOUNT_NAME}. */
  readonly accountName: string;
  /** {@link AZURITE_ACCOUNT_KEY}. */
  readonly accountKey: string;
  /** The temporary directory Azurite runs in (removed by `stop`); objects are kept in memory. */
  readonly directory: string;
  /**
   * A storage connection string for this server
   * (`DefaultEndpointsProtocol=http;AccountName=…;AccountKey=…;BlobEndpoint=…`), as Tidemark reads it
   * from `TIDEMARK_CONN_<CONN_ID>` and as `BlobServiceClient.fromConnectionString` takes it.
   */
  readonly connectionString: string;
  /** `{ TIDEMARK_CONN_<CONN_ID>: connectionString }`, to pass as `env` or merge into a child's environment. */
  connectionEnv(connId: string): Record<string, string>;
  /**
   * Creates another empty container.
   *
   * @param name - its name (default `tidemark-<random>`; 3–63 lower-case letters, digits and hyphens).
   * @returns the name.
   */
  createContainer(name?: string): Promise<string>;
  /** Stops the server (its objects go with it) and removes its directory. */
  stop(): Promise<void>;
}

/** Options of {@link startAzurite}. */
export interface StartAzuriteOptions {
  /** The container created at start. Default `tidemark-<random>`. */
  readonly container?: string;
  /** Most megabytes of objects kept in memory (Azurite's `--extentMemoryLimit`). Default 1024. */
  readonly memoryLimitMB?: number;
  /** How long to wait for the server to listen, in milliseconds. Default 60000. */
  readonly startTimeoutMs?: number;
}

const LISTENING = /successfully listens on (http:\/\/127\.0\.0\.1:(\d+))/;

function randomContainer(): string {
  return `tidemark-${randomBytes(4).toString("hex")}`;
}

/** Resolves when the child prints its listening address; rejects when it exits or times out first. */
function listening(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = "";
    const done = (error: Error | undefined, port?: number) => {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.stderr?.off("data", onOutput);
      child.off("exit", onExit);
      child.off("error", onError);
      if (error !== undefined) reject(error);
      else resolve(port as number);
    };
    const onOutput = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-4000);
    };
    const onData = (chunk: Buffer) => {
      onOutput(chunk);
      const match = LISTENING.exec(output);
      if (match !== null) done(undefined, Number(match[2]));
    };
    const onExit = (code: number | null, signal: string | null) =>
      done(new Error(`Azurite exited before listening (code ${code}, signal ${signal}): ${output.trim()}`));
    const onError = (error: Error) => done(error);
    const timer = setTimeout(
      () => done(new Error(`Azurite did not listen within ${timeoutMs} ms: ${output.trim()}`)),
      timeoutMs,
    );
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onOutput);
    child.once("exit", onExit);
    child.once("error", onError);
  });
}

/**
 * Starts Azurite's blob service (the Azure Storage emulator) as a child process on 127.0.0.1 with a free
 * port, objects in memory, telemetry off and any API version accepted, and creates one fresh container: a
 * real Azure Blob endpoint for the tests of Azure backends, without Docker or a network. Import it from
 * `@tidemark/testkit/azurite` (azurite is an optional peer dependency: install it beside the testkit).
 *
 * Readiness is the server's own "listens on" line, not a delay. Use the well-known account
 * {@link AZURITE_ACCOUNT_NAME} with {@link AZURITE_ACCOUNT_KEY}, or the handle's connection string.
 *
 * @param options - the container's name, the memory limit and the start timeout.
 * @returns the handle; call `stop()` in `afterAll`.
 * @throws Error when Azurite cannot be found or exits, or does not listen in time.
 */
export async function startAzurite(options: StartAzuriteOptions = {}): Promise<AzuriteHandle> {
  const main = createRequire(import.meta.url).resolve("azurite/dist/src/blob/main.js");
  const directory = await mkdtemp(join(tmpdir(), "tidemark-azurite-"));
  const child = spawn(
    process.execPath,
    [
      main,
      "--blobHost",
      "127.0.0.1",
      "--blobPort",
      "0",
      "--inMemoryPersistence",
      "--extentMemoryLimit",
      String(options.memoryLimitMB ?? 1024),
      "--disableTelemetry",
      "--skipApiVersionCheck",
      "--loose",
      "--silent",
    ],
    { cwd: directory, stdio: ["ignore", "pipe", "pipe"] },
  );
  // A test process that ends without stop() must not leave the server running.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    process.off("exit", killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    await rm(directory, { recursive: true, force: true });
  };
  let port: number;
  try {
    port = await listening(child, options.startTimeoutMs ?? 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  // Only the listening line was wanted; keep draining so a full pipe never blocks the server.
  child.stdout?.resume();
  child.stderr?.resume();
  const endpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT_NAME}`;
  const createContainer = async (name = randomContainer()) => {
    const status = await sharedKeyRequest({
      endpoint,
      account: AZURITE_ACCOUNT_NAME,
      key: AZURITE_ACCOUNT_KEY,
      method: "PUT",
      path: `/${name}`,
      query: { restype: "container" },
    });
    if (status !== 201) throw new Error(`Azurite answered HTTP ${status} to creating container ${name}`);
    return name;
  };
  let container: string;
  try {
    container = await createContainer(options.container);
  } catch (error) {
    await stop();
    throw error;
  }
  const connectionString = `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT_NAME};AccountKey=${AZURITE_ACCOUNT_KEY};BlobEndpoint=${endpoint};`;
  return {
    endpoint,
    port,
    container,
    accountName: AZURITE_ACCOUNT_NAME,
    accountKey: AZURITE_ACCOUNT_KEY,
    directory,
    connectionString,
    connectionEnv: (connId) => ({ [`TIDEMARK_CONN_${connId.toUpperCase()}`]: connectionString }),
    createContainer,
    stop,
  };
}
