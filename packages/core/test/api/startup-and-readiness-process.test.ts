import { type ChildProcess, spawn } from "node:child_process";
import { loadConfig } from "@tidemark/config";
import {
  startThrowawayPostgres,
  type ThrowawayPostgres,
  throwawayPostgresSkipReason,
} from "@tidemark/testkit/postgres";
import { cleanEnv, closedPort } from "@tidemark/testkit/process";
import { type SyncTempDir, tempDir } from "@tidemark/testkit/temp-dir";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type ApiServer, createApiServer } from "../../src/api/create-api-server.js";
import { BIN, requireBuilt } from "../support/built.js";
import { runTidemark } from "../support/run-tidemark.js";

beforeAll(() => requireBuilt());

// Throws with CI=true when the Postgres binaries are missing; elsewhere the cluster cases skip with it.
const clusterSkip = throwawayPostgresSkipReason();
const clusterTitle = (title: string) => (clusterSkip === null ? title : `${title} (skipped: ${clusterSkip})`);

interface ReadinessBody {
  status: string;
  components: Record<string, { status: string; reason?: string }>;
}

async function readiness(origin: string): Promise<{ status: number; body: ReadinessBody }> {
  const answer = await fetch(`${origin}/api/v2/monitor/readiness`);
  return { status: answer.status, body: (await answer.json()) as ReadinessBody };
}

/** Polls readiness (a fresh request each time) until it is `status`, for up to 60 s. */
async function readinessBecomes(origin: string, status: number): Promise<ReadinessBody> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const answer = await readiness(origin);
    if (answer.status === status) return answer.body;
    if (Date.now() > deadline)
      throw new Error(`readiness stayed ${answer.status}: ${JSON.stringify(answer.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A spawned `tidemark api-server` whose output the test can wait on. */
interface Spawned {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout or stderr (as chosen) matches, rejects when the process exits first. */
  waitFor(stream: "stdout" | "stderr", pattern: RegExp): Promise<RegExpExecArray>;
  readonly exited: Promise<number | null>;
}

function spawnTidemark(args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Spawned {
  const child = spawn(process.execPath, [BIN, ...args], { ...options, stdio: ["ignore", "pipe", "pipe"] });
  const text = { stdout: "", stderr: "" };
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (text.stdout += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (text.stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    stdout: () => text.stdout,
    stderr: () => text.stderr,
    exited,
    waitFor(stream, pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(text[stream]);
          if (match === null) return;
          child[stream]?.off("data", check);
          resolve(match);
        };
        child[stream]?.on("data", check);
        check();
        void exited.then((code) =>
          reject(
            new Error(
              `tidemark exited (${code}) before ${stream} matched ${pattern}; stderr:\n${text.stderr}`,
            ),
          ),
        );
      });
    },
  };
}

function logLines(stderr: string): Record<string, unknown>[] {
  return stderr
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("tidemark api-server start-up check", () => {
  let dir: SyncTempDir;
  let cluster: ThrowawayPostgres | undefined;
  let spawned: Spawned | undefined;
  let server: ApiServer | undefined;
  beforeEach(() => {
    dir = tempDir("tidemark-startup-");
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    if (spawned !== undefined && spawned.child.exitCode === null && spawned.child.signalCode === null) {
      spawned.child.kill("SIGKILL");
      await spawned.exited;
    }
    spawned = undefined;
    await cluster?.remove();
    cluster = undefined;
    dir.remove();
  });

  it("refuses to start when the database cannot be reached: exit 5 and one line on stderr", async () => {
    const port = await closedPort();
    const result = await runTidemark(["api-server", "--port", "0"], {
      cwd: dir.path,
      env: cleanEnv({ TIDEMARK__DATABASE__URL: `postgres://postgres@127.0.0.1:${port}/tidemark` }),
    });
    expect(result.code).toBe(5);
    expect(result.stdout).not.toContain("listening");
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^error: the api-server is not ready to serve: metastore: .*127\\.0\\.0\\.1:${port}.*ECONNREFUSED.*check that the database of database\\.url is running.*set api\\.startup_timeout_seconds.* \\[BACKEND_UNAVAILABLE\\]$`,
      ),
    );
  });

  it("with api.startup_timeout_seconds retries, logging each attempt, then fails the same way", async () => {
    const port = await closedPort();
    const result = await runTidemark(["api-server", "--port", "0"], {
      cwd: dir.path,
      env: cleanEnv({
        TIDEMARK__DATABASE__URL: `postgres://postgres@127.0.0.1:${port}/tidemark`,
        TIDEMARK__API__STARTUP_TIMEOUT_SECONDS: "2",
      }),
    });
    expect(result.code).toBe(5);
    expect(result.stdout).not.toContain("listening");
    const attempts = logLines(result.stderr).filter((l) => String(l.msg).startsWith("start-up check failed"));
    expect(attempts.length, result.stderr).toBeGreaterThanOrEqual(2);
    expect(attempts.map((a) => a.attempt)).toEqual(attempts.map((_, i) => i + 1));
    for (const attempt of attempts) {
      expect(attempt.level).toBe(40);
      expect(String(attempt.reason)).toContain("metastore: ");
      expect(attempt.retryInMs).toBeGreaterThan(0);
    }
    const last = result.stderr.trimEnd().split("\n").at(-1) ?? "";
    expect(last).toMatch(
      new RegExp(
        `^error: the api-server is not ready to serve: metastore: .*ECONNREFUSED.*still failing after ${attempts.length + 1} attempts in [\\d.]+ s; api\\.startup_timeout_seconds = 2\\) \\[BACKEND_UNAVAILABLE\\]$`,
      ),
    );
  });

  it.skipIf(clusterSkip !== null)(
    clusterTitle("starts once a database that came up late answers, having retried meanwhile"),
    async () => {
      cluster = await startThrowawayPostgres({ start: false });
      spawned = spawnTidemark(["api-server", "--port", "0", "--quiet"], {
        cwd: dir.path,
        env: cleanEnv({
          TIDEMARK__DATABASE__URL: cluster.url,
          TIDEMARK__API__STARTUP_TIMEOUT_SECONDS: "300",
        }),
      });
      await spawned.waitFor("stderr", /start-up check failed on attempt 1; retrying/);
      expect(spawned.stdout()).toBe("");
      await cluster.start();
      const [, origin] = await spawned.waitFor(
        "stdout",
        /^tidemark api-server listening on (http:\/\/\S+)$/m,
      );
      expect((await readiness(origin as string)).status).toBe(200);
      const passed = logLines(spawned.stderr()).find((l) =>
        String(l.msg).startsWith("start-up check passed"),
      );
      expect(passed?.attempt).toBeGreaterThanOrEqual(2);
      spawned.child.kill("SIGTERM");
      expect(await spawned.exited).toBe(0);
    },
  );

  it.skipIf(clusterSkip !== null)(
    clusterTitle("readiness follows a Postgres that stops and starts again; liveness stays 200"),
    async () => {
      cluster = await startThrowawayPostgres();
      server = await createApiServer({
        config: loadConfig({ cwd: dir.path, env: {}, overrides: { database: { url: cluster.url } } }),
        cwd: dir.path,
        logger: false,
        readinessTimeoutMs: 20_000,
      });
      const origin = await server.listen({ host: "127.0.0.1", port: 0 });
      expect((await readiness(origin)).status).toBe(200);

      await cluster.stop();
      const down = await readiness(origin);
      expect(down.status).toBe(503);
      expect(down.body.status).toBe("not_ready");
      expect(down.body.components.metastore?.status).toBe("failed");
      expect(down.body.components.metastore?.reason).toContain(`127.0.0.1:${cluster.port}`);
      expect(down.body.components.backend?.status).toBe("failed");
      expect(down.body.components.backend?.reason).toContain("MetastoreBackend");
      const health = await fetch(`${origin}/api/v2/monitor/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ metadatabase: { status: "unhealthy" } });
      expect((await fetch(`${origin}/execution/health`)).status).toBe(200);

      await cluster.start();
      const up = await readinessBecomes(origin, 200);
      expect(up.status).toBe("ready");
    },
  );
});
