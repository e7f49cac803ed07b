import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";

/** A long-running child process that announced itself with one JSON line. */
export interface RunningChild<T> {
  /** What the child printed when ready. */
  readonly ready: T;
  /** Stops the child (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts a server script of this package in a child process and waits for its first stdout line, parsed
 * as JSON.
 *
 * @param script - the script's URL.
 * @param input - passed as its one JSON argument.
 * @param timeoutMs - how long to wait for the line (default 120 s: a loaded machine starts slowly).
 * @returns the running child.
 * @throws Error with the child's stderr when it exits or times out before printing.
 */
export async function startServerChild<T>(
  script: URL,
  input: unknown,
  timeoutMs = 120_000,
): Promise<RunningChild<T>> {
  const child: ChildProcess = spawn(process.execPath, [script.pathname, JSON.stringify(input)], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.stdin?.end();
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    })();
    return stopping;
  };
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let stdout = "";
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk;
        const newline = stdout.indexOf("\n");
        if (newline >= 0) {
          clearTimeout(timer);
          resolve(stdout.slice(0, newline));
        }
      });
      child.on("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`exited with ${code ?? signal}`));
      });
      child.on("error", reject);
    });
    return { ready: JSON.parse(line) as T, stop };
  } catch (error) {
    await stop();
    throw new Error(
      `${script.pathname} did not start: ${(error as Error).message}; ${stderr.trim().slice(-2000)}`,
    );
  }
}
