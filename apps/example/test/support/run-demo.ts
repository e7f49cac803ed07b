import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The built demo (turbo builds it before the tests). The root script's path is tested in root-scripts. */
export const DEMO_MAIN = fileURLToPath(new URL("../../dist/main.js", import.meta.url));

/** What one demo process did. */
export interface DemoRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The `--report-json` file, parsed (undefined when it was not written). */
  readonly report: DemoReportJson | undefined;
}

/** The parts of the JSON report the tests read. */
export interface DemoReportJson {
  readonly ok: boolean;
  readonly ingested: { thisInvocation: number; total: number; expected: number; through: string };
  readonly watermark: { value: string | null; version: number | null };
  readonly topAirports: {
    airport: string;
    flights: number;
    totalDelay: number;
    worstDelay: number;
    routes: number;
  }[];
  readonly state: {
    inline: { owner: string; key: string; storedBytes: number }[];
    offloaded: { owner: string; key: string; storedBytes: number; ref: string; valueBytes: number }[];
    taskStateRows: number;
    taskKeys: { runId: string; taskId: string; mapIndex: number; key: string; value: unknown }[];
  };
  readonly retries: {
    day: string;
    crashedTry: number;
    resumedTry: number;
    resumedAfterPages: number;
    pages: number;
    sameJob: boolean;
  }[];
  readonly runs: { ran: number; alreadySucceeded: number; catchUpRunId: string | null };
  readonly checks: { name: string; ok: boolean; detail: string }[];
}

/**
 * The environment a demo child gets: this process's, without any Tidemark configuration (so a developer's
 * TIDEMARK__… variables cannot leak in), plus `extra`.
 */
export function demoEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("TIDEMARK")) env[name] = value;
  }
  return { ...env, ...extra };
}

/**
 * Runs `node dist/main.js …args --report-json report.json` in `cwd` and waits for it to exit.
 *
 * @param cwd - the working directory (the demo's `.tidemark/` goes there).
 * @param args - the demo's options.
 * @param env - the child's environment (see {@link demoEnvironment}).
 * @returns exit code, output and parsed report.
 */
export function runDemo(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<DemoRun> {
  const reportFile = join(cwd, `report-${Date.now()}-${Math.random().toString(16).slice(2)}.json`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DEMO_MAIN, ...args, "--report-json", reportFile], {
      cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.once("error", reject);
    child.once("close", (code) => {
      const report = existsSync(reportFile)
        ? (JSON.parse(readFileSync(reportFile, "utf8")) as DemoReportJson)
        : undefined;
      resolve({ code, stdout, stderr, report });
    });
  });
}
