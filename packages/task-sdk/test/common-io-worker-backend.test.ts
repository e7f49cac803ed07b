import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";
import { loadConfig, type TidemarkConfig } from "@tidemark/config";
import { assetScope, STATE_REF_KEY, taskScope, unwrapStateRef } from "@tidemark/state";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineTask, loadWorkerBackend, runTask, silentTaskLogger } from "../src/index.js";
import { startTidemarkServer, type TidemarkServer } from "./support/tidemark-server.js";

const BACKEND = "@tidemark/provider-common-io#StateStoreObjectStorageBackend";

/** Reads an object written by the file:// backend: its JSON text, gunzipped when it ends in .gz. */
function objectText(ref: string): string {
  const raw = readFileSync(fileURLToPath(ref));
  const body = ref.endsWith(".gz") ? gunzipSync(raw) : raw;
  return body.toString("utf8");
}

describe("the SDK with @tidemark/provider-common-io as the worker backend (file://)", () => {
  let s: TidemarkServer;
  let objects: string;
  const workerConfig = (common_io: Record<string, unknown>, clearOnSuccess = false): TidemarkConfig =>
    loadConfig({
      cwd: s.cwd,
      env: {},
      overrides: {
        workers: { state_store_backend: BACKEND },
        state_store: { clear_on_success: clearOnSuccess },
        common_io: { state_store_objectstorage_path: pathToFileURL(`${objects}/`).href, ...common_io },
      },
    });

  beforeAll(async () => {
    objects = mkdtempSync(join(tmpdir(), "tidemark-objects-"));
    s = await startTidemarkServer({ config: { state_store: { clear_on_success: true } } });
    await s.asset("orders", "s3://data/orders/");
  });
  afterAll(async () => {
    await s.close();
    rmSync(objects, { recursive: true, force: true });
  });

  it("loads the backend named by workers.state_store_backend once", async () => {
    const config = workerConfig({ state_store_objectstorage_compression: "gzip" });
    const backend = await loadWorkerBackend(config);
    expect(backend?.name).toBe("StateStoreObjectStorageBackend");
    expect(await loadWorkerBackend(config)).toBe(backend);
  });

  it("offloads every value with threshold 0 and gzip: the row holds the envelope, the file the value", async () => {
    const ti = await s.taskInstance({ taskId: "gzip", outlets: ["orders"] });
    const scope = taskScope({ dagId: ti.dagId, runId: ti.runId, taskId: ti.taskId, mapIndex: ti.mapIndex });
    const big = { rows: Array.from({ length: 2000 }, (_, i) => ({ i, label: `row ${i}` })) };
    const refs: Record<string, string> = {};
    const task = defineTask({
      async execute(ctx) {
        await ctx.taskStateStore.set("report/2026-05", big);
        await ctx.taskStateStore.set("tiny", 1);
        await ctx.assetStateStore.set("watermark", "2026-05-01");
        for (const key of ["report/2026-05", "tiny"]) {
          const row = await s.metastore.get(scope, key);
          refs[key] = unwrapStateRef(JSON.parse(row as string)) as string;
        }
        expect(await ctx.taskStateStore.get("report/2026-05")).toEqual(big);
        expect(await ctx.taskStateStore.get("tiny")).toBe(1);
        expect(await ctx.assetStateStore.get("watermark")).toBe("2026-05-01");
        await ctx.taskStateStore.delete("tiny");
        expect(existsSync(fileURLToPath(refs.tiny as string))).toBe(false);
        expect(await s.metastore.get(scope, "tiny")).toBeNull();
      },
    });
    const config = workerConfig({
      state_store_objectstorage_compression: "gzip",
      state_store_objectstorage_threshold: 0,
    });
    const result = await runTask({
      client: await s.client(ti.id),
      taskInstanceId: ti.id,
      task,
      config,
      log: silentTaskLogger,
    });
    expect(result.state).toBe("success");
    const ref = refs["report/2026-05"] as string;
    expect(ref).toMatch(/^file:\/\/.*\/tasks\/.*\.gz$/);
    expect(JSON.parse(objectText(ref))).toEqual(big);
    const assetRow = JSON.parse(
      (await s.metastore.get(assetScope({ name: "orders" }), "watermark")) as string,
    );
    expect(Object.keys(assetRow)).toEqual([STATE_REF_KEY]);
    expect(objectText(assetRow[STATE_REF_KEY])).toBe('"2026-05-01"');
  });

  it("keeps values under the threshold inline and clears the task's files on success with clear_on_success", async () => {
    const ti = await s.taskInstance({ taskId: "threshold" });
    const scope = taskScope({ dagId: ti.dagId, runId: ti.runId, taskId: ti.taskId, mapIndex: ti.mapIndex });
    let bigRef = "";
    const task = defineTask({
      async execute(ctx) {
        await ctx.taskStateStore.set("small", { ok: true });
        await ctx.taskStateStore.set("big", "x".repeat(500));
        expect(await s.metastore.get(scope, "small")).toBe('{"ok":true}');
        bigRef = unwrapStateRef(JSON.parse((await s.metastore.get(scope, "big")) as string)) as string;
        expect(bigRef).not.toMatch(/\.gz$/);
        expect(objectText(bigRef)).toBe(JSON.stringify("x".repeat(500)));
      },
    });
    const result = await runTask({
      client: await s.client(ti.id),
      taskInstanceId: ti.id,
      task,
      config: workerConfig({ state_store_objectstorage_threshold: 100 }, true),
      log: silentTaskLogger,
    });
    expect(result).toMatchObject({ state: "success" });
    expect(result.cleanupError).toBeUndefined();
    expect(await s.metastore.get(scope, "big")).toBeNull();
    expect(existsSync(fileURLToPath(bigRef))).toBe(false);
  });

  it("advances a watermark with compare-and-set through the worker backend, inline, and lets one of two racers win", async () => {
    const ti = await s.taskInstance({ taskId: "cas", inlets: ["orders"], outlets: ["orders"] });
    const task = defineTask({
      async execute(ctx) {
        const store = ctx.assetStateStore.for({ name: "orders" });
        await store.delete("cursor");
        await store.set("cursor", "2026-05-01", { ifAbsent: true });
        const entry = await store.getEntry<string>("cursor");
        expect(entry?.value).toBe("2026-05-01");
        const racers = await Promise.allSettled([
          store.set("cursor", "2026-05-02", { ifVersion: entry?.version as number }),
          store.set("cursor", "2026-05-03", { ifVersion: entry?.version as number }),
        ]);
        expect(racers.filter((r) => r.status === "fulfilled")).toHaveLength(1);
        const row = (await s.metastore.get(assetScope({ name: "orders" }), "cursor")) as string;
        expect(['"2026-05-02"', '"2026-05-03"']).toContain(row);
        expect(await store.get("cursor")).toBe(JSON.parse(row));
      },
    });
    const result = await runTask({
      client: await s.client(ti.id),
      taskInstanceId: ti.id,
      task,
      config: workerConfig({ state_store_objectstorage_threshold: 0 }),
      log: silentTaskLogger,
    });
    expect(result.error).toBeUndefined();
    expect(result.state).toBe("success");
  });
});
