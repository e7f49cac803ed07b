import { type ChildProcess, spawn } from "node:child_process";
import { BIN } from "../../support/built.js";

/** A `tidemark api-server` process started by {@link spawnApiServer}. */
export interface ApiServerProcess {
  readonly child: ChildProcess;
  /** `http://127.0.0.1:PORT` as the process printed it. */
  readonly origin: string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Everything written to stdout so far (the listening line and the start-up summary). */
  stdout(): string;
  /** Sends SIGTERM (or `signal`) and resolves with the exit code and signal. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const LISTENING = /^tidemark api-server listening on (http:\/\/\S+)$/m;

/**
 * Spawns `node bin/tidemark.js api-server …args` and waits (up to `timeoutMs`) for its
 * `tidemark api-server listening on URL` line.
 *
 * @param args - extra arguments, for example `["--port", "0"]`.
 * @param options - working directory, environment, start-up timeout (default 60 s on a loaded machine).
 * @throws Error with the process's stderr when it exits or times out before listening.
 */
export function spawnApiServer(
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<ApiServerProcess> {
  const child = spawn(process.execPath, [BIN, "api-server", ...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(`api-server did not start within ${options.timeoutMs ?? 60_000} ms; stderr:\n${stderr}`),
      );
    }, options.timeoutMs ?? 60_000);
    const onData = () => {
      const match = LISTENING.exec(stdout);
      if (match === null) return;
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      resolve({
        child,
        origin: match[1] as string,
        stderr: () => stderr,
        stdout: () => stdout,
        async stop(signal: NodeJS.Signals = "SIGTERM") {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    };
    child.stdout?.on("data", onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(
        new Error(`api-server exited (code ${code}, signal ${signal}) before listening; stderr:\n${stderr}`),
      );
    });
  });
}
