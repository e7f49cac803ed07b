import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { loadConfig } from "@tidemark/config";
import { createDatabase, withDatabaseSchema } from "@tidemark/core";
import { TEST_POSTGRES_URL } from "@tidemark/testkit/postgres";
import { afterEach, describe, expect, it } from "vitest";
import { defineTask, ExecutionApiClient, NEVER_EXPIRE, runTask, silentTaskLogger } from "../src/index.js";
import { createMysqlDatabase, dropMysqlDatabase, serverDatabases } from "./support/tidemark-server.js";

const BIN = join(
  dirname(createRequire(import.meta.url).resolve("@tidemark/core/package.json")),
  "bin",
  "tidemark.js",
);

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("TIDEMARK")) env[k] = v;
  return { ...env, ...extra };
}

function tidemark(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr });
    });
  });
}

/** Spawns `tidemark api-server --port 0` and resolves with the URL it prints. */
function startProcess(cwd: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; origin: string }> {
  const child = spawn(process.execPath, [BIN, "api-server", "--host", "127.0.0.1", "--port", "0"], {
    cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (c: string) => {
    stderr += c;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`api-server did not start in 60 s: ${stderr}`));
    }, 60_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`api-server exited with ${code} before listening: ${stderr}`));
    });
    child.stdout?.setEncoding("utf8").on("data", (c: string) => {
      stdout += c;
      const match = /tidemark api-server listening on (http:\/\/\S+)/.exec(stdout);
      if (match !== null) {
        clearTimeout(timer);
        resolve({ child, origin: match[1] as string });
      }
    });
  });
}

const kinds = await serverDatabases("runTask against a spawned `tidemark api-server` process");

describe.each(kinds)("runTask against a spawned `tidemark api-server` process (%s)", (kind) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups.length = 0;
  });

  it("creates a task instance with the CLI, mints its token, runs the task and stops the server", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "tidemark-sdk-process-"));
    cleanups.push(() => rmSync(cwd, { recursive: true, force: true }));
    let url = `sqlite://${join(cwd, "tidemark.db")}`;
    if (kind === "postgres") {
      const schema = `tidemark_sdk_${randomBytes(6).toString("hex")}`;
      url = withDatabaseSchema(TEST_POSTGRES_URL, schema);
      cleanups.push(async () => {
        const database = createDatabase(TEST_POSTGRES_URL);
        await database.db.schema.dropSchema(schema).ifExists().cascade().execute();
        await database.close();
      });
    }
    if (kind === "mysql") {
      const name = `tidemark_sdk_${randomBytes(6).toString("hex")}`;
      url = await createMysqlDatabase(name);
      cleanups.push(() => dropMysqlDatabase(name));
    }
    const env = cleanEnv({ TIDEMARK__DATABASE__URL: url, TIDEMARK__LOGGING__LEVEL: "warn" });
    expect((await tidemark(["assets", "register", "--name", "orders"], cwd, env)).code).toBe(0);
    const created = await tidemark(
      [
        "task-instances",
        "create",
        "--dag-id",
        "etl",
        "--run-id",
        "manual_1",
        "--task-id",
        "load",
        "--inlet",
        "orders",
      ],
      cwd,
      env,
    );
    expect(created.code).toBe(0);
    const tiId = (JSON.parse(created.stdout) as { id: string }).id;

    const { child, origin } = await startProcess(cwd, env);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    cleanups.push(() => {
      if (child.exitCode === null) child.kill("SIGKILL");
    });
    const token = (await tidemark(["task-instances", "token", tiId, "--ttl", "5m"], cwd, env)).stdout.trim();
    const client = new ExecutionApiClient({ baseUrl: `${origin}/execution`, token });
    const task = defineTask({
      taskId: "load",
      async execute(ctx) {
        const since = await ctx.assetStateStore.get("watermark", "1970-01-01");
        await ctx.assetStateStore.set("watermark", "2026-05-01");
        await ctx.taskStateStore.set("job/id", { id: "app_1" }, { retentionMs: NEVER_EXPIRE });
        return since;
      },
    });
    const config = loadConfig({ cwd, env: {} });
    const first = await runTask({ client, taskInstanceId: tiId, task, config, log: silentTaskLogger });
    expect(first).toMatchObject({
      state: "success",
      returnValue: "1970-01-01",
      taskInstance: { tryNumber: 1 },
    });
    const second = await runTask({ client, taskInstanceId: tiId, task, config, log: silentTaskLogger });
    expect(second.returnValue).toBe("2026-05-01");
    expect(await client.getTaskState(tiId, "job/id")).toEqual({ value: { id: "app_1" }, version: 2 });

    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
