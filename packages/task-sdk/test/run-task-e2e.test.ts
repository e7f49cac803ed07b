import { loadConfig, type TidemarkConfig } from "@tidemark/config";
import { getTaskInstance } from "@tidemark/core";
import { assetScope, isStateStoreError, type JsonValue, STATE_REF_KEY, taskScope } from "@tidemark/state";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Asset, defineTask, runTask, type TaskContext, type TaskLogger } from "../src/index.js";
import { OffloadingMemoryBackend } from "./support/offloading-memory-backend.js";
import { serverDatabases, startTidemarkServer, type TidemarkServer } from "./support/tidemark-server.js";

function memoryLog(): TaskLogger & { lines: string[] } {
  const lines: string[] = [];
  const method = (level: string) => (fields: object | string, msg?: string) =>
    lines.push(`${level}: ${typeof fields === "string" ? fields : msg}`);
  return {
    lines,
    debug: method("debug"),
    info: method("info"),
    warn: method("warn"),
    error: method("error"),
  };
}

const kinds = await serverDatabases("runTask against a real api-server");
const orders = new Asset({ name: "orders", uri: "s3://data/orders/" });

describe.each(kinds)("runTask against a real api-server (%s)", (kind) => {
  let s: TidemarkServer;
  let worker: TidemarkConfig;
  let clearing: TidemarkConfig;
  beforeAll(async () => {
    s = await startTidemarkServer({ database: kind, config: { state_store: { clear_on_success: true } } });
    await s.asset("orders", "s3://data/orders/");
    await s.asset("customers", "s3://data/customers/");
    worker = loadConfig({ cwd: s.cwd, env: {} });
    clearing = loadConfig({ cwd: s.cwd, env: { TIDEMARK__STATE_STORE__CLEAR_ON_SUCCESS: "true" } });
  });
  afterAll(() => s?.close());

  it("builds the context from the server's task instance, runs the task and reports success", async () => {
    const ti = await s.taskInstance({
      dagId: "etl",
      taskId: "load",
      mapIndex: 3,
      inlets: ["orders"],
      outlets: ["orders"],
    });
    let seen: TaskContext | undefined;
    const task = defineTask({
      taskId: "load",
      inlets: [orders],
      async execute(ctx) {
        seen = ctx;
        const since = await ctx.assetStateStore.get("watermark", "1970-01-01");
        await ctx.assetStateStore.set("watermark", "2026-05-01");
        await ctx.taskStateStore.set("job_id", { id: "app_1" });
        return { since };
      },
    });
    const result = await runTask({
      client: await s.client(ti.id),
      taskInstanceId: ti.id,
      task,
      config: worker,
      log: memoryLog(),
    });
    expect(result.state).toBe("success");
    expect(result.returnValue).toEqual({ since: "1970-01-01" });
    expect(seen).toMatchObject({
      dagId: "etl",
      runId: ti.runId,
      taskId: "load",
      mapIndex: 3,
      tryNumber: 1,
      dagRun: { dagId: "etl", runId: ti.runId },
      ti: { id: ti.id, state: "running", inlets: [{ name: "orders", uri: "s3://data/orders/" }] },
    });
    expect((await getTaskInstance(s.database, ti.id))?.state).toBe("success");
    expect(await s.metastore.get(assetScope({ name: "orders" }), "watermark")).toBe('"2026-05-01"');
    // clear_on_success is on at the server: the task's rows went with the success.
    expect(
      await s.metastore.get(
        taskScope({ dagId: "etl", runId: ti.runId, taskId: "load", mapIndex: 3 }),
        "job_id",
      ),
    ).toBeNull();
  });

  it("reports up_for_retry while retries are left, then failed, with the try number of each attempt", async () => {
    const ti = await s.taskInstance({ taskId: "flaky" });
    const tries: number[] = [];
    const task = defineTask({
      retries: 1,
      async execute(ctx) {
        tries.push(ctx.tryNumber);
        const attempts = ((await ctx.taskStateStore.get<number>("attempts")) ?? 0) + 1;
        await ctx.taskStateStore.set("attempts", attempts);
        throw new Error(`boom ${attempts}`);
      },
    });
    const log = memoryLog();
    const first = await runTask({
      client: await s.client(ti.id),
      taskInstance: ti,
      task,
      config: worker,
      log,
    });
    expect(first.state).toBe("up_for_retry");
    expect((first.error as Error).message).toBe("boom 1");
    expect((await getTaskInstance(s.database, ti.id))?.state).toBe("up_for_retry");
    const second = await runTask({
      client: await s.client(ti.id),
      taskInstance: ti,
      task,
      config: worker,
      log,
    });
    expect(second.state).toBe("failed");
    expect((second.error as Error).message).toBe("boom 2");
    expect(tries).toEqual([1, 2]);
    expect(await getTaskInstance(s.database, ti.id)).toMatchObject({ state: "failed", tryNumber: 2 });
    expect(log.lines.filter((l) => l.startsWith("error:"))).toHaveLength(2);
  });

  it("clears the worker backend's objects on success with clear_on_success, keeping asset state", async () => {
    const ti = await s.taskInstance({ taskId: "offload", outlets: ["customers"] });
    const scope = taskScope({ dagId: ti.dagId, runId: ti.runId, taskId: ti.taskId, mapIndex: ti.mapIndex });
    const backend = new OffloadingMemoryBackend();
    let row: string | null = null;
    const task = defineTask({
      async execute(ctx) {
        await ctx.taskStateStore.set("checkpoint", { page: 9, blob: "x".repeat(1000) });
        await ctx.assetStateStore.set("cursor", 17);
        row = await s.metastore.get(scope, "checkpoint");
        expect(await ctx.taskStateStore.get("checkpoint")).toEqual({ page: 9, blob: "x".repeat(1000) });
      },
    });
    const result = await runTask({
      client: await s.client(ti.id),
      taskInstanceId: ti.id,
      task,
      config: clearing,
      workerBackend: backend,
      log: memoryLog(),
    });
    expect(result).toMatchObject({ state: "success" });
    expect(result.cleanupError).toBeUndefined();
    expect(JSON.parse(row as unknown as string)).toEqual({
      [STATE_REF_KEY]: OffloadingMemoryBackend.refOf(scope, "checkpoint"),
    });
    expect(await s.metastore.get(scope, "checkpoint")).toBeNull();
    expect(await backend.get(scope, "checkpoint")).toBeNull();
    expect(backend.calls.at(-1)).toBe("clear");
    const assetRow = await s.metastore.get(assetScope({ name: "customers" }), "cursor");
    expect(JSON.parse(assetRow as string)).toHaveProperty(STATE_REF_KEY);
    expect(await backend.get({ kind: "asset", name: "customers" }, "cursor")).toBe("17");
  });

  it("reports success and returns the cleanup error when the worker backend cannot clear", async () => {
    const ti = await s.taskInstance({ taskId: "offload_fail" });
    const backend = new OffloadingMemoryBackend();
    const task = defineTask({
      async execute(ctx) {
        await ctx.taskStateStore.set("k", 1);
        backend.failNext = new Error("bucket gone");
      },
    });
    const result = await runTask({
      client: await s.client(ti.id),
      taskInstanceId: ti.id,
      task,
      config: clearing,
      workerBackend: backend,
      log: memoryLog(),
    });
    expect(result.state).toBe("success");
    expect(isStateStoreError(result.cleanupError, "BACKEND_UNAVAILABLE")).toBe(true);
    expect((await getTaskInstance(s.database, ti.id))?.state).toBe("success");
  });

  it("fails the task with a clear error when the shorthand is used with two assets", async () => {
    const ti = await s.taskInstance({ taskId: "two", inlets: ["orders"], outlets: ["customers"] });
    const task = defineTask({
      async execute(ctx: TaskContext): Promise<JsonValue | undefined> {
        return ctx.assetStateStore.get("watermark");
      },
    });
    const result = await runTask({
      client: await s.client(ti.id),
      taskInstanceId: ti.id,
      task,
      config: worker,
      log: memoryLog(),
    });
    expect(result.state).toBe("failed");
    expect((result.error as Error).message).toMatch(
      /has 2 \(Asset\(name="orders".*Asset\(name="customers".*use ctx\.assetStateStore\.for\(asset\)/,
    );
  });

  it("refuses a task definition of another task before reporting running, and warns about undeclared assets", async () => {
    const ti = await s.taskInstance({ taskId: "real" });
    const wrong = defineTask({ taskId: "other", execute() {} });
    const error = await runTask({
      client: await s.client(ti.id),
      taskInstanceId: ti.id,
      task: wrong,
      config: worker,
    }).catch((e) => e);
    expect(isStateStoreError(error, "CONFIG_ERROR")).toBe(true);
    expect((await getTaskInstance(s.database, ti.id))?.state).toBe("queued");
    const log = memoryLog();
    const undeclared = defineTask({ inlets: [orders], execute() {} });
    expect(
      (
        await runTask({
          client: await s.client(ti.id),
          taskInstanceId: ti.id,
          task: undeclared,
          config: worker,
          log,
        })
      ).state,
    ).toBe("success");
    expect(log.lines.some((l) => /warn: .*does not list it/.test(l))).toBe(true);
  });
});
