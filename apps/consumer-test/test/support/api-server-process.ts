import { spawn } from "node:child_process";
import { installedTidemarkBin } from "./installed-tidemark.js";

/** A running `tidemark api-server` of an installed project. */
export interface ApiServerProcess {
  /** Its origin, for example `http://127.0.0.1:43817`. */
  readonly url: string;
  /** What it printed so far (stdout and stderr), for failure messages. */
  output(): string;
  /** Sends SIGTERM (SIGKILL after 10 s) and waits for the exit. Idempotent. */
  stop(): Promise<void>;
}

const LISTENING = /tidemark api-server listening on (http:\/\/127\.0\.0\.1:\d+)/;

/**
 * Starts the installed `tidemark api-server --host 127.0.0.1 --port 0` in the project and waits for its
 * `listening on` line (printed once the port is bound).
 *
 * @param project - the project directory (its `tidemark.toml` applies).
 * @param env - the environment.
 * @param timeoutMs - how long to wait for the line. Default 120,000.
 * @returns the running server.
 * @throws Error when it exits or stays silent, with its output.
 */
export async function startApiServer(
  project: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = 120_000,
): Promise<ApiServerProcess> {
  const child = spawn(installedTidemarkBin(project), ["api-server", "--host", "127.0.0.1", "--port", "0"], {
    cwd: project,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "listening on" line within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const match = LISTENING.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`tidemark api-server could not be started: ${error.message}`));
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`tidemark api-server exited during start-up (${signal ?? `code ${code}`})`));
    });
  });
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    })();
    return stopping;
  };
  try {
    return { url: await url, output: () => output, stop };
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}:\n${output.slice(-3000)}`);
  }
}
