import { assetScope, isStateStoreError, STATE_REF_KEY, taskScope } from "@tidemark/state";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Asset,
  AssetNameRef,
  AssetStateStoreAccessor,
  AssetStateStoreAccessors,
  DEFAULT_WORKER_SETTINGS,
  ExecutionApiClient,
  NEVER_EXPIRE,
  TaskStateStoreAccessor,
  type WorkerSettings,
} from "../src/index.js";
import { OffloadingMemoryBackend } from "./support/offloading-memory-backend.js";
import { serverDatabases, startTidemarkServer, type TidemarkServer } from "./support/tidemark-server.js";

const kinds = await serverDatabases("accessors against a real api-server");
const settings: WorkerSettings = {
  ...DEFAULT_WORKER_SETTINGS,
  defaultRetentionDays: 30,
  maxValueStorageBytes: 2048,
};

describe.each(kinds)("accessors against a real api-server (%s)", (kind) => {
  let s: TidemarkServer;
  beforeAll(async () => {
    s = await startTidemarkServer({
      database: kind,
      config: { state_store: { max_value_storage_bytes: 2048 } },
    });
    await s.asset("orders", "s3://data/orders/");
    await s.asset("customers", "s3://data/customers/");
  });
  afterAll(() => s?.close());

  const taskStore = async (extra: Partial<ConstructorParameters<typeof TaskStateStoreAccessor>[0]> = {}) => {
    const ti = await s.taskInstance({ outlets: ["orders"] });
    const scope = taskScope({ dagId: ti.dagId, runId: ti.runId, taskId: ti.taskId, mapIndex: ti.mapIndex });
    const client = await s.client(ti.id);
    const store = new TaskStateStoreAccessor({ client, taskInstanceId: ti.id, scope, settings, ...extra });
    return { ti, scope, client, store };
  };

  it("round-trips keys with /, %, ?, # and Unicode, and values of every JSON shape", async () => {
    const { store, scope } = await taskStore();
    const keys = ["a/b/c", "100%", "q?x=1#frag", "München/東京/🚀", "%2F", "a+b", " lead"];
    const values = ["s", 0, -1.5, true, false, [1, null, "x"], { nested: { deep: [{}] } }, ""];
    for (const [i, key] of keys.entries()) await store.set(key, values[i % values.length]);
    for (const [i, key] of keys.entries()) expect(await store.get(key)).toEqual(values[i % values.length]);
    expect(await s.metastore.get(scope, "q?x=1#frag")).toBe(JSON.stringify(values[2]));
    await store.delete("a/b/c");
    expect(await store.get("a/b/c", "gone")).toBe("gone");
  });

  it("computes expires_at on the worker from a frozen clock, as the database row shows", async () => {
    const { store, scope } = await taskStore({ clock: () => new Date("2099-05-14T12:00:00.000Z") });
    await store.set("default", 1);
    await store.set("hour", 1, { retentionMs: 3_600_000 });
    await store.set("never", 1, { retentionMs: NEVER_EXPIRE });
    const expiry = async (key: string) =>
      (await s.metastore.getEntry(scope, key))?.expiresAt?.toISOString() ?? null;
    expect(await expiry("default")).toBe("2099-06-13T12:00:00.000Z");
    expect(await expiry("hour")).toBe("2099-05-14T13:00:00.000Z");
    expect(await expiry("never")).toBeNull();
    const zeroDays = await taskStore({ settings: { ...settings, defaultRetentionDays: 0 } });
    await zeroDays.store.set("k", 1);
    expect((await s.metastore.getEntry(zeroDays.scope, "k"))?.expiresAt).toBeNull();
    const realClock = await taskStore();
    await realClock.store.set("already", 1, { retentionMs: 0 });
    expect(await realClock.store.get("already", "expired")).toBe("expired");
  });

  it("runs a compare-and-set loop with getEntry and ifVersion", async () => {
    const { store } = await taskStore();
    await store.set("counter", 0, { ifAbsent: true });
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (;;) {
          const entry = await store.getEntry<number>("counter");
          try {
            await store.set("counter", (entry?.value ?? 0) + 1, { ifVersion: entry?.version as number });
            return;
          } catch (error) {
            if (!isStateStoreError(error, "CONFLICT")) throw error;
          }
        }
      }),
    );
    expect(await store.getEntry("counter")).toEqual({ value: 8, version: 9 });
    const conflict = await store.set("counter", 0, { ifAbsent: true }).catch((e) => e);
    expect(isStateStoreError(conflict, "CONFLICT")).toBe(true);
  });

  it("surfaces server errors with their codes: other errors are not mistaken for a missing key", async () => {
    const { ti, scope } = await taskStore();
    const other = await s.taskInstance();
    const stranger = new TaskStateStoreAccessor({
      client: await s.client(other.id),
      taskInstanceId: ti.id,
      scope,
      settings,
    });
    expect(isStateStoreError(await stranger.get("k", "default").catch((e) => e), "FORBIDDEN")).toBe(true);
    const expired = new ExecutionApiClient({
      baseUrl: s.baseUrl,
      token: await s.token(ti.id, { ttlSeconds: 1, now: new Date(0) }),
    });
    const old = new TaskStateStoreAccessor({ client: expired, taskInstanceId: ti.id, scope, settings });
    const error = await old.get("k", "default").catch((e) => e);
    expect(isStateStoreError(error, "UNAUTHORIZED")).toBe(true);
    expect(error.message).toMatch(/expired/);
  });

  it("refuses a value over max_value_storage_bytes before sending, and the server refuses it too", async () => {
    const { store, client, ti, scope } = await taskStore();
    const error = await store.set("big", "x".repeat(3000)).catch((e) => e);
    expect(isStateStoreError(error, "VALUE_TOO_LARGE")).toBe(true);
    const raw = await client
      .setTaskState(ti.id, "big", "x".repeat(3000), { expiresAt: null })
      .catch((e) => e);
    expect(isStateStoreError(raw, "VALUE_TOO_LARGE")).toBe(true);
    expect(raw.message).toMatch(/limit of 2048 bytes/);
    expect(await s.metastore.get(scope, "big")).toBeNull();
  });

  it("offloads through a worker backend: the row holds only the envelope, get resolves it", async () => {
    const backend = new OffloadingMemoryBackend();
    const { store, scope } = await taskStore({ backend });
    const value = { rows: Array.from({ length: 500 }, (_, i) => ({ i, name: `row ${i}` })) };
    await store.set("report/2026", value);
    const row = await s.metastore.get(scope, "report/2026");
    expect(JSON.parse(row as string)).toEqual({
      [STATE_REF_KEY]: OffloadingMemoryBackend.refOf(scope, "report/2026"),
    });
    expect(JSON.parse(row as string)).not.toHaveProperty("rows");
    expect(await backend.get(scope, "report/2026")).toBe(JSON.stringify(value));
    expect(await store.get("report/2026")).toEqual(value);
    backend.thresholdBytes = 100;
    await store.set("small", { ok: true });
    expect(await s.metastore.get(scope, "small")).toBe('{"ok":true}');
    expect(await store.get("small")).toEqual({ ok: true });
  });

  it("deletes the database row first: a backend failure leaves an orphan that the next set overwrites", async () => {
    const backend = new OffloadingMemoryBackend();
    const { store, scope } = await taskStore({ backend });
    await store.set("job", { id: "app_1" });
    backend.failNext = new Error("object store down");
    const error = await store.delete("job").catch((e) => e);
    expect(isStateStoreError(error, "BACKEND_UNAVAILABLE")).toBe(true);
    expect(error.message).toMatch(/no longer holds the reference.*object store down/);
    expect(await s.metastore.get(scope, "job")).toBeNull();
    expect(await backend.get(scope, "job")).toBe('{"id":"app_1"}');
    expect(await store.get("job", "missing")).toBe("missing");
    await store.set("job", { id: "app_2" });
    expect(await backend.get(scope, "job")).toBe('{"id":"app_2"}');
    expect(await store.get("job")).toEqual({ id: "app_2" });
    await store.set("other", 1);
    backend.failNext = new Error("still down");
    expect(isStateStoreError(await store.clear().catch((e) => e), "BACKEND_UNAVAILABLE")).toBe(true);
    expect(await s.metastore.get(scope, "other")).toBeNull();
    await store.clear();
    expect(await backend.get(scope, "other")).toBeNull();
  });

  it("gives declared assets through ctx-style accessors, addressed by name, and records the task as writer", async () => {
    const ti = await s.taskInstance({
      dagId: "assets",
      taskId: "t",
      inlets: ["orders"],
      outlets: ["customers"],
    });
    const client = await s.client(ti.id);
    const accessors = new AssetStateStoreAccessors({
      client,
      declared: [...ti.inlets, ...ti.outlets],
      settings,
    });
    const orders = accessors.for(new Asset({ name: "orders", uri: "s3://data/orders/" }));
    await orders.set("watermark", "2026-05-01");
    expect(await accessors.for(new AssetNameRef({ name: "orders" })).get("watermark")).toBe("2026-05-01");
    const byUri = new AssetStateStoreAccessor({ client, asset: { uri: "s3://data/orders/" } });
    expect(await byUri.get("watermark")).toBe("2026-05-01");
    const entry = await s.metastore.getEntry(assetScope({ name: "orders" }), "watermark");
    expect(entry?.lastUpdatedBy).toEqual({
      kind: "task",
      dagId: "assets",
      runId: ti.runId,
      taskId: "t",
      mapIndex: -1,
    });
    expect(isStateStoreError(await accessors.get("watermark").catch((e) => e), "INVALID_SCOPE")).toBe(true);
    const undeclared = new AssetStateStoreAccessor({ client, asset: { name: "nope" } });
    expect(isStateStoreError(await undeclared.get("k").catch((e) => e), "ASSET_NOT_FOUND")).toBe(true);
  });

  it("offloads asset state through the worker backend with the asset's name in the scope", async () => {
    const ti = await s.taskInstance({ inlets: ["orders"], outlets: ["orders"] });
    const backend = new OffloadingMemoryBackend();
    const accessors = new AssetStateStoreAccessors({
      client: await s.client(ti.id),
      declared: [...ti.inlets, ...ti.outlets],
      backend,
    });
    await accessors.set("cursor", { page: 42 });
    const row = await s.metastore.get(assetScope({ name: "orders" }), "cursor");
    expect(JSON.parse(row as string)).toEqual({
      [STATE_REF_KEY]: OffloadingMemoryBackend.refOf({ kind: "asset", name: "orders" }, "cursor"),
    });
    expect(await accessors.get("cursor")).toEqual({ page: 42 });
    await accessors.delete("cursor");
    expect(await s.metastore.get(assetScope({ name: "orders" }), "cursor")).toBeNull();
    expect(backend.calls).toEqual(["serializeAsset:cursor", "deserializeAsset", "delete:cursor"]);
  });

  it("lets a watcher token use its listed assets", async () => {
    const watcher = new AssetStateStoreAccessor({
      client: await s.watcherClient([{ name: "customers" }]),
      asset: { name: "customers" },
    });
    await watcher.set("seen", 3);
    expect((await s.metastore.getEntry(assetScope({ name: "customers" }), "seen"))?.lastUpdatedBy).toEqual({
      kind: "watcher",
    });
    const denied = new AssetStateStoreAccessor({
      client: await s.watcherClient([{ name: "customers" }]),
      asset: { name: "orders" },
    });
    expect(isStateStoreError(await denied.get("k").catch((e) => e), "FORBIDDEN")).toBe(true);
  });
});
