import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** A running `tidemark api-server` child process. */
export interface ApiServerProcess {
  /** The server's base URL, for example `http://127.0.0.1:43817`. */
  readonly url: string;
  /** The child's process id. */
  readonly pid: number;
  /** Where its output goes. */
  readonly logFile: string;
  /** Stops it (SIGTERM, then SIGKILL after 10 s) and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link startApiServerProcess}. */
export interface StartApiServerOptions {
  /** The child's working directory (where `.tidemark/secret_key` and relative SQLite paths resolve). */
  readonly cwd: string;
  /** The child's environment. */
  readonly env: NodeJS.ProcessEnv;
  /** The file the child's stdout and stderr are appended to. */
  readonly logFile: string;
  /** How long to wait for the server to answer, in milliseconds. Default 60,000. */
  readonly timeoutMs?: number;
}

/**
 * The `tidemark` command of the installed `@tidemark/core` package (its `bin` entry).
 *
 * @returns the absolute path of the bin script.
 */
export function tidemarkBin(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve("@tidemark/core/package.json");
  const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { bin?: Record<string, string> };
  const bin = pkg.bin?.tidemark;
  if (bin === undefined) throw new Error(`${manifest} declares no "tidemark" bin`);
  return join(dirname(manifest), bin);
}

/**
 * Tells whether an Execution API answers at `url`: its OpenAPI document is public.
 *
 * @param url - the server's base URL (without `/execution`).
 * @returns true on HTTP 200.
 */
export async function executionApiAnswers(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/execution/openapi.json`, { signal: AbortSignal.timeout(5000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

const LISTENING = /https?:\/\/(?:127\.0\.0\.1|localhost|\[::1\]):\d+/;

/**
 * Starts the real `tidemark api-server` (the CLI of `@tidemark/core`) as a child process with `node`, and
 * waits until its Execution API answers. The child must listen on a free port (`TIDEMARK__API__PORT=0`);
 * its address is read from its start-up log line.
 *
 * @param options - working directory, environment, log file, time limit.
 * @returns the running server.
 * @throws Error when the child exits or does not answer in time, with the end of its log.
 */
export async function startApiServerProcess(options: StartApiServerOptions): Promise<ApiServerProcess> {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = createWriteStream(options.logFile, { flags: "a" });
  const child: ChildProcess = spawn(process.execPath, [tidemarkBin(), "api-server"], {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let url: string | undefined;
  const onData = (chunk: Buffer) => {
    log.write(chunk);
    if (url === undefined) {
      output += chunk.toString("utf8");
      url = LISTENING.exec(output)?.[0];
      if (output.length > 64 * 1024) output = output.slice(-16 * 1024);
    }
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exit = new Promise<void>((resolveExit) => {
    child.once("exit", (code, signal) => {
      exited = { code, signal };
      resolveExit();
    });
  });
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      process.removeListener("exit", killOnExit);
      if (exited === undefined) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exit;
        clearTimeout(timer);
      }
      await new Promise<void>((done) => log.end(done));
    })();
    return stopping;
  };

  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  try {
    for (;;) {
      if (exited !== undefined) {
        throw new Error(
          `tidemark api-server exited during start-up (${exited.signal ?? `code ${exited.code}`}):\n${output.slice(-2000)}`,
        );
      }
      if (url !== undefined && (await executionApiAnswers(url))) break;
      if (Date.now() > deadline) {
        throw new Error(
          `tidemark api-server did not answer within ${options.timeoutMs ?? 60_000} ms:\n${output.slice(-2000)}`,
        );
      }
      await sleep(100);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: url as string, pid: child.pid as number, logFile: options.logFile, stop };
}
