import { spawn } from "node:child_process";
import { cleanEnv } from "@tidemark/testkit/process";
import { tempDir } from "@tidemark/testkit/temp-dir";
import { type ApiServerProcess, spawnApiServer } from "../../api/support/spawn-api-server.js";
import { BIN } from "../../support/built.js";

/** What a `tidemark` process did. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `node bin/tidemark.js …args`, writing `input` to its stdin and closing it (so a command reading
 * stdin sees end of input rather than waiting for a terminal).
 */
export function runCli(
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; input?: string },
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      stderr += c;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}

/** A temp working directory with its own SQLite metastore, optionally with a running api-server. */
export interface CliWorkspace {
  readonly dir: string;
  readonly url: string;
  readonly env: NodeJS.ProcessEnv;
  /** `tidemark …args` on the database directly. */
  direct(args: readonly string[], input?: string): Promise<CliRun>;
  /** `tidemark …args --api-url … --token …` against this workspace's api-server (started on first use). */
  api(args: readonly string[], input?: string): Promise<CliRun>;
  /** The api-server's origin (starting it when needed). */
  server(): Promise<ApiServerProcess>;
  dispose(): Promise<void>;
}

/** The token the workspaces' api-servers accept. */
export const CLI_TOKEN = "cli-test-token";

/**
 * The `api.secret_key` every workspace shares: workspaces are databases of one deployment, so references
 * exported from one may be imported into another (their seals verify).
 */
export const DEPLOYMENT_SECRET_KEY = "cli-test-deployment-secret-key-0123456789";

/**
 * Creates a workspace: `TIDEMARK__DATABASE__URL=sqlite:///<dir>/t.db`, api.auth_tokens = [CLI_TOKEN],
 * api.secret_key = {@link DEPLOYMENT_SECRET_KEY}, plus `env`.
 */
export function cliWorkspace(env: Record<string, string> = {}): CliWorkspace {
  const dir = tempDir("tidemark-cli-state-");
  const url = `sqlite:///${dir.path}/t.db`;
  const fullEnv = cleanEnv({
    TIDEMARK__DATABASE__URL: url,
    TIDEMARK__API__AUTH_TOKENS: CLI_TOKEN,
    TIDEMARK__API__SECRET_KEY: DEPLOYMENT_SECRET_KEY,
    TIDEMARK__LOGGING__LEVEL: "warn",
    ...env,
  });
  let server: Promise<ApiServerProcess> | undefined;
  const startServer = () => {
    server ??= spawnApiServer(["--port", "0"], {
      cwd: dir.path,
      env: { ...fullEnv, TIDEMARK__LOGGING__LEVEL: "info" },
    });
    return server;
  };
  return {
    dir: dir.path,
    url,
    env: fullEnv,
    direct: (args, input) =>
      runCli(args, { cwd: dir.path, env: fullEnv, ...(input === undefined ? {} : { input }) }),
    async api(args, input) {
      const { origin } = await startServer();
      return runCli([...args, "--api-url", origin, "--token", CLI_TOKEN], {
        cwd: dir.path,
        env: fullEnv,
        ...(input === undefined ? {} : { input }),
      });
    },
    server: startServer,
    async dispose() {
      if (server !== undefined) await (await server).stop();
      dir.remove();
    },
  };
}

/** Parses a command's JSON stdout, failing with its output when it is not JSON. */
export function jsonOf<T = Record<string, unknown>>(run: CliRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(
      `expected JSON on stdout (exit ${run.code}); stdout:\n${run.stdout}\nstderr:\n${run.stderr}`,
    );
  }
}

/** Asserts success and returns the run, failing with the process's output otherwise. */
export function ok(run: CliRun): CliRun {
  if (run.code !== 0)
    throw new Error(`expected exit 0, got ${run.code}; stderr:\n${run.stderr}\nstdout:\n${run.stdout}`);
  return run;
}
