import { spawn } from "node:child_process";

/**
 * Runs a Node script of this package in a child process and returns the JSON it prints as its last
 * stdout line. Used where a measurement needs its own process (peak RSS) or its own CPU (a server).
 *
 * @param script - the script's URL (for example `new URL("./x-child.js", import.meta.url)`).
 * @param input - passed to the child as its one JSON argument.
 * @param options - `env`: extra environment variables; `timeoutMs` (default 10 minutes).
 * @returns the parsed last line.
 * @throws Error with the child's stderr when it exits non-zero, prints no JSON, or times out.
 */
export async function runChildJson<T>(
  script: URL,
  input: unknown,
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<T> {
  const child = spawn(process.execPath, [script.pathname, JSON.stringify(input)], {
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 600_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (c, s) => resolve([c, s]));
  }).finally(() => clearTimeout(timer));
  const last = stdout.trim().split("\n").pop() ?? "";
  if (code !== 0 || last === "") {
    throw new Error(
      `${script.pathname} failed (exit ${code ?? signal}): ${stderr.trim().slice(-2000) || "no output"}`,
    );
  }
  return JSON.parse(last) as T;
}
