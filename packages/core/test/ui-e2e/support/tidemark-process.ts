import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { TIDEMARK_BIN } from "./paths.js";

const run = promisify(execFile);

/** A temporary Tidemark installation: a working directory with its own SQLite metastore. */
export interface TidemarkWorkspace {
  readonly dir: string;
  /** The environment every `tidemark` process of this workspace gets. */
  readonly env: NodeJS.ProcessEnv;
  /** Runs `tidemark <args>` here; resolves with stdout, rejects with stderr in the message. */
  cli(args: readonly string[]): Promise<string>;
  /** Removes the directory. */
  dispose(): Promise<void>;
}

/**
 * Creates a workspace in a new temp directory with `TIDEMARK__DATABASE__URL=sqlite://<dir>/t.db` (an absolute path).
 *
 * @param env - extra `TIDEMARK__…` settings (e.g. `TIDEMARK__API__AUTH: "none"`).
 * @returns the workspace.
 */
export async function createWorkspace(env: Record<string, string> = {}): Promise<TidemarkWorkspace> {
  const dir = await mkdtemp(join(tmpdir(), "tidemark-ui-e2e-"));
  const fullEnv: NodeJS.ProcessEnv = {
    ...process.env,
    TIDEMARK__DATABASE__URL: `sqlite://${join(dir, "t.db")}`,
    TIDEMARK__LOGGING__LEVEL: "info",
    ...env,
  };
  return {
    dir,
    env: fullEnv,
    async cli(args) {
      try {
        const { stdout } = await run(process.execPath, [TIDEMARK_BIN, ...args], {
          cwd: dir,
          env: fullEnv,
          timeout: 60_000,
        });
        return stdout;
      } catch (error) {
        const e = error as { stderr?: string; stdout?: string; message: string };
        throw new Error(`tidemark ${args.join(" ")} failed: ${e.stderr || e.stdout || e.message}`);
      }
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A running `tidemark api-server`. */
export interface RunningApiServer {
  /** Base URL, e.g. http://127.0.0.1:41234 (the UI is at `${url}/ui/`). */
  readonly url: string;
  /** Everything the server printed, for failure messages. */
  output(): string;
  /** Stops the server (SIGTERM, then SIGKILL after 10 s) and waits for it to exit. */
  stop(): Promise<void>;
}

/** How {@link startApiServer} starts the server. */
export interface StartApiServerOptions {
  /** Extra arguments after `api-server --host 127.0.0.1 --port 0`, e.g. `["--ui-dir", dir]`. */
  readonly args?: readonly string[];
  /** How long start-up may take, in milliseconds (generous: the machine may be loaded). Default 60000. */
  readonly timeoutMs?: number;
}

/**
 * Starts `tidemark api-server --host 127.0.0.1 --port 0` in the workspace (serving the UI it bundles
 * unless `args` says otherwise) and waits until it prints its URL and answers `GET /api/v2/config/ui`.
 *
 * @param workspace - where to run and with which settings.
 * @param options - extra arguments and the start-up timeout.
 * @returns the running server.
 * @throws Error with the server's output when it exits or does not come up in time.
 */
export async function startApiServer(
  workspace: TidemarkWorkspace,
  options: StartApiServerOptions = {},
): Promise<RunningApiServer> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const child = spawn(
    process.execPath,
    [TIDEMARK_BIN, "api-server", "--host", "127.0.0.1", "--port", "0", ...(options.args ?? [])],
    { cwd: workspace.dir, env: workspace.env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const exited = new Promise<number | null>((resolveExit) => child.once("exit", (code) => resolveExit(code)));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`tidemark api-server did not print its URL within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /https?:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match && match[1] !== "0") {
        clearTimeout(timer);
        resolveUrl(`http://127.0.0.1:${match[1]}`);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`tidemark api-server exited (code ${code}) before it was ready:\n${output}`));
    });
  });
  // Keep collecting output for failure messages.
  await waitUntilReady(url, exited, () => output, timeoutMs);
  return {
    url,
    output: () => output,
    stop: () => stopProcess(child, exited),
  };
}

async function waitUntilReady(
  url: string,
  exited: Promise<number | null>,
  output: () => string,
  timeoutMs: number,
): Promise<void> {
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (gone) throw new Error(`tidemark api-server exited while starting:\n${output()}`);
    try {
      const response = await fetch(`${url}/api/v2/config/ui`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`tidemark api-server at ${url} never answered:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stopProcess(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}
