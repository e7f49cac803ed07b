import { isStateStoreError, STATE_REF_KEY, StateStoreError, taskScope } from "@tidemark/state";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  Asset,
  AssetNameRef,
  AssetStateStoreAccessor,
  AssetStateStoreAccessors,
  AssetUriRef,
  DEFAULT_WORKER_SETTINGS,
  ExecutionApiClient,
  NEVER_EXPIRE,
  type TaskLogger,
  TaskStateStoreAccessor,
  type WorkerSettings,
} from "../src/index.js";
import { OffloadingMemoryBackend } from "./support/offloading-memory-backend.js";
import { type RecordingServer, startRecordingServer } from "./support/recording-server.js";

const NOW = new Date("2026-05-14T12:00:00.000Z");
const scope = taskScope({ dagId: "d", runId: "r", taskId: "t" });

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

describe("accessors without a Tidemark server", () => {
  let server: RecordingServer;
  let client: ExecutionApiClient;
  const settings: WorkerSettings = {
    ...DEFAULT_WORKER_SETTINGS,
    defaultRetentionDays: 30,
    maxValueStorageBytes: 100,
  };
  const bodies = () => server.requests.map((r) => (r.body === "" ? undefined : JSON.parse(r.body)));

  beforeEach(async () => {
    server = await startRecordingServer();
    client = new ExecutionApiClient({ baseUrl: server.baseUrl, token: "tok", retry: { attempts: 1 } });
  });
  afterEach(() => server.close());

  describe("TaskStateStoreAccessor", () => {
    const accessor = (extra: Partial<ConstructorParameters<typeof TaskStateStoreAccessor>[0]> = {}) =>
      new TaskStateStoreAccessor({
        client,
        taskInstanceId: "ti1",
        scope,
        settings,
        clock: () => NOW,
        ...extra,
      });

    it("computes expires_at from the frozen clock: default days, explicit ms, NEVER_EXPIRE", async () => {
      const store = accessor();
      await store.set("a", 1);
      await store.set("b", 1, { retentionMs: 3_600_000 });
      await store.set("c", 1, { retentionMs: NEVER_EXPIRE });
      await accessor({ settings: { ...settings, defaultRetentionDays: 0 } }).set("d", 1);
      expect(bodies().map((b) => b.expires_at)).toEqual([
        "2026-06-13T12:00:00.000Z",
        "2026-05-14T13:00:00.000Z",
        null,
        null,
      ]);
    });

    it('sends expires_at "default" when the worker does not know default_retention_days', async () => {
      const { defaultRetentionDays: _known, ...unknown } = settings;
      const store = accessor({ settings: unknown });
      await store.set("a", 1);
      await store.set("b", 1, { retentionMs: 3_600_000 });
      expect(bodies().map((b) => b.expires_at)).toEqual(["default", "2026-05-14T13:00:00.000Z"]);
    });

    it("validates keys, values, retention and size before sending anything", async () => {
      const store = accessor();
      const attempts: [string, () => Promise<unknown>, string][] = [
        ["empty key", () => store.set("", 1), "INVALID_KEY"],
        ["control character", () => store.set("a\nb", 1), "INVALID_KEY"],
        ["513 characters", () => store.get("k".repeat(513)), "INVALID_KEY"],
        ["null value", () => store.set("k", null), "INVALID_VALUE"],
        ["NaN inside", () => store.set("k", { a: [1, Number.NaN] }), "INVALID_VALUE"],
        ["a Date", () => store.set("k", new Date()), "INVALID_VALUE"],
        ["negative retention", () => store.set("k", 1, { retentionMs: -5 }), "INVALID_VALUE"],
        ["NaN retention", () => store.set("k", 1, { retentionMs: Number.NaN }), "INVALID_VALUE"],
        ["ifVersion 0", () => store.set("k", 1, { ifVersion: 0 }), "INVALID_VALUE"],
        ["both conditions", () => store.set("k", 1, { ifVersion: 1, ifAbsent: true }), "INVALID_VALUE"],
        ["101 bytes", () => store.set("k", "x".repeat(99)), "VALUE_TOO_LARGE"],
        ["delete key", () => store.delete(""), "INVALID_KEY"],
      ];
      for (const [label, attempt, code] of attempts) {
        const error = await attempt().catch((e: unknown) => e);
        expect(isStateStoreError(error, code as "INVALID_KEY"), label).toBe(true);
      }
      expect(server.requests).toHaveLength(0);
      const tooLarge = await store.set("k", "é".repeat(60)).catch((e: unknown) => e);
      expect((tooLarge as Error).message).toMatch(/122 bytes.*limit of 100 bytes.*max_value_storage_bytes/);
    });

    it("returns the default only on NOT_FOUND and rethrows other errors", async () => {
      const store = accessor();
      expect(await store.get("missing")).toBeUndefined();
      expect(await store.get("missing", "fallback")).toBe("fallback");
      expect(await store.getEntry("missing")).toBeNull();
      server.script.push({
        status: 403,
        body: { detail: { reason: "forbidden", message: "no", code: "FORBIDDEN" } },
      });
      expect(isStateStoreError(await store.get("k", "fallback").catch((e) => e), "FORBIDDEN")).toBe(true);
      server.script.push({ status: 200, body: { value: { n: 1 } }, headers: { etag: '"7"' } });
      expect(await store.getEntry("k")).toEqual({ value: { n: 1 }, version: 7 });
    });

    it("offloads through the worker backend and sends only the envelope", async () => {
      const backend = new OffloadingMemoryBackend();
      const store = accessor({ backend });
      await store.set("job/id", { big: "x".repeat(500) });
      const [sent] = bodies();
      const ref = OffloadingMemoryBackend.refOf(scope, "job/id");
      expect(sent.value).toEqual({ [STATE_REF_KEY]: ref });
      expect(await backend.get(scope, "job/id")).toBe(JSON.stringify({ big: "x".repeat(500) }));
      server.script.push({ status: 200, body: { value: sent.value } });
      expect(await store.get("job/id")).toEqual({ big: "x".repeat(500) });
      expect(backend.calls).toEqual(["serializeTask:job/id", "deserializeTask"]);
    });

    it("keeps values below the backend's threshold inline and reads inline values as stored", async () => {
      const backend = new OffloadingMemoryBackend();
      backend.thresholdBytes = 10;
      const log = memoryLog();
      const store = accessor({ backend, log });
      await store.set("small", 42);
      expect(bodies()[0].value).toBe(42);
      server.script.push({ status: 200, body: { value: 42 } });
      expect(await store.get("small")).toBe(42);
      expect(log.lines).toEqual([]);
    });

    it("warns about a malformed envelope when a backend is configured and returns it as stored", async () => {
      const log = memoryLog();
      const store = accessor({ backend: new OffloadingMemoryBackend(), log });
      const malformed = { [STATE_REF_KEY]: "mem:x", extra: 1 };
      server.script.push({ status: 200, body: { value: malformed } });
      expect(await store.get("k")).toEqual(malformed);
      expect(log.lines).toHaveLength(1);
      expect(log.lines[0]).toMatch(/^warn: .*not a valid reference envelope/);
    });

    it("refuses to hand an envelope to task code when no worker backend is configured", async () => {
      server.script.push({ status: 200, body: { value: { [STATE_REF_KEY]: "s3://b/k" } } });
      const error = await accessor()
        .get("k")
        .catch((e) => e);
      expect(isStateStoreError(error, "CONFIG_ERROR")).toBe(true);
      expect(error.message).toMatch(/workers\.state_store_backend/);
    });

    it("fails a read whose referenced object is gone instead of returning the default", async () => {
      const backend = new OffloadingMemoryBackend();
      const ref = OffloadingMemoryBackend.refOf(scope, "gone");
      server.script.push({ status: 200, body: { value: { [STATE_REF_KEY]: ref } } });
      const error = await accessor({ backend })
        .get("gone", "default")
        .catch((e) => e);
      expect(isStateStoreError(error, "NOT_FOUND")).toBe(true);
    });

    it("checks the size of the envelope, not of the offloaded value", async () => {
      const backend = new OffloadingMemoryBackend();
      await accessor({ backend }).set("k", "x".repeat(10_000));
      expect(server.requests).toHaveLength(1);
    });

    it("keeps a compare-and-set value inline: no object is written before the server checks the condition", async () => {
      const backend = new OffloadingMemoryBackend();
      await accessor({ backend }).set("k", "x".repeat(50), { ifAbsent: true });
      expect(backend.calls).toEqual([]);
      expect(bodies()).toEqual([expect.objectContaining({ value: "x".repeat(50) })]);
      expect(server.requests[0]?.headers["if-none-match"]).toBe("*");
    });

    it("refuses a compare-and-set value too large to stay inline, saying why it cannot be offloaded", async () => {
      const backend = new OffloadingMemoryBackend();
      const error = await accessor({ backend })
        .set("k", "x".repeat(200), { ifVersion: 3 })
        .catch((e) => e);
      expect(isStateStoreError(error, "VALUE_TOO_LARGE")).toBe(true);
      expect(error.message).toContain("202 bytes");
      expect(error.message).toContain("compare-and-set");
      expect(error.message).toContain("write it without a condition");
      expect(backend.calls).toEqual([]);
      expect(server.requests).toHaveLength(0);
    });

    it("deletes the database reference first, then the object, and surfaces a backend failure", async () => {
      const backend = new OffloadingMemoryBackend();
      const store = accessor({ backend });
      await store.set("k", "v");
      backend.failNext = new Error("disk on fire");
      const error = await store.delete("k").catch((e) => e);
      expect(server.requests.map((r) => r.method)).toEqual(["PUT", "DELETE"]);
      expect(isStateStoreError(error, "BACKEND_UNAVAILABLE")).toBe(true);
      expect(error.message).toMatch(/no longer holds the reference.*disk on fire.*orphaned/);
      expect(error.cause.message).toBe("disk on fire");
      await store.delete("k");
      expect(await backend.get(scope, "k")).toBeNull();
    });

    it("does not touch the backend when the database delete fails", async () => {
      const backend = new OffloadingMemoryBackend();
      server.script.push({
        status: 401,
        body: { detail: { reason: "unauthorized", message: "expired", code: "UNAUTHORIZED" } },
      });
      const error = await accessor({ backend })
        .clear()
        .catch((e) => e);
      expect(isStateStoreError(error, "UNAUTHORIZED")).toBe(true);
      expect(backend.calls).toEqual([]);
    });

    it("keeps a backend error's own code", async () => {
      const backend = new OffloadingMemoryBackend();
      backend.failNext = new StateStoreError("NOT_SUPPORTED", "read-only bucket");
      const error = await accessor({ backend })
        .clear()
        .catch((e) => e);
      expect(isStateStoreError(error, "NOT_SUPPORTED")).toBe(true);
      expect(backend.calls).toEqual(["clear"]);
    });
  });

  describe("AssetStateStoreAccessor and AssetStateStoreAccessors", () => {
    const declared = [
      { name: "orders", uri: "s3://data/orders/" },
      { name: "customers", uri: "s3://data/customers/" },
    ];

    it("resolves declared assets by Asset, AssetNameRef, AssetUriRef and plain objects", async () => {
      const accessors = new AssetStateStoreAccessors({ client, declared: [...declared, declared[0]!] });
      expect(accessors.declared).toHaveLength(2);
      const orders = accessors.for(new Asset({ name: "orders", uri: "s3://data/orders/" }));
      expect(accessors.for(new AssetNameRef({ name: "orders" }))).toBe(orders);
      expect(accessors.for(new AssetUriRef({ uri: "s3://data/orders/" }))).toBe(orders);
      expect(accessors.for({ name: "orders" })).toBe(orders);
      expect(orders.scope).toEqual({ kind: "asset", name: "orders" });
      await orders.set("watermark", "2026-05-01");
      expect(server.requests[0]?.url).toBe("/execution/store/asset/by-name/value?name=orders&key=watermark");
    });

    it("refuses an undeclared asset, naming the declared ones", () => {
      const accessors = new AssetStateStoreAccessors({ client, declared });
      let error: unknown;
      try {
        accessors.for(new Asset({ name: "orders", uri: "s3://elsewhere/" }));
      } catch (e) {
        error = e;
      }
      expect(isStateStoreError(error, "FORBIDDEN")).toBe(true);
      expect((error as Error).message).toMatch(/declared: Asset\(name="orders".*Asset\(name="customers"/);
    });

    it("offers the shorthand only with exactly one concrete asset (inlet and outlet count once)", async () => {
      const one = new AssetStateStoreAccessors({ client, declared: [declared[0]!, declared[0]!] });
      await one.set("w", 1);
      expect(await one.get("missing", "d")).toBe("d");
      for (const accessors of [
        new AssetStateStoreAccessors({ client, declared }),
        new AssetStateStoreAccessors({ client, declared: [] }),
      ]) {
        const error = await accessors.get("w").catch((e) => e);
        expect(isStateStoreError(error, "INVALID_SCOPE")).toBe(true);
        expect(error.message).toMatch(/has [02].*use ctx\.assetStateStore\.for\(asset\)\.get\(\)/);
      }
    });

    it("addresses an accessor by uri when built that way, and refuses both or neither", async () => {
      const byUri = new AssetStateStoreAccessor({ client, asset: { uri: "s3://x/" } });
      await byUri.clear();
      expect(server.requests[0]?.url).toBe("/execution/store/asset/by-uri/clear?uri=s3%3A%2F%2Fx%2F");
      expect(
        () =>
          new AssetStateStoreAccessor({
            client,
            asset: { name: "a", uri: "b" } as unknown as { name: string },
          }),
      ).toThrow(/exactly one/);
    });

    it("offloads asset values with the asset's scope and deletes database-first", async () => {
      const backend = new OffloadingMemoryBackend();
      const store = new AssetStateStoreAccessor({ client, asset: { name: "orders" }, backend });
      await store.set("cursor", { page: 3 });
      expect(JSON.parse(server.requests[0]?.body ?? "").value).toEqual({
        [STATE_REF_KEY]: OffloadingMemoryBackend.refOf({ kind: "asset", name: "orders" }, "cursor"),
      });
      await store.delete("cursor");
      await store.clear();
      expect(backend.calls).toEqual(["serializeAsset:cursor", "delete:cursor", "clear"]);
      expect(server.requests.map((r) => r.method)).toEqual(["PUT", "DELETE", "DELETE"]);
    });

    it("validates Asset construction", () => {
      expect(new Asset({ name: "n" }).uri).toBe("n");
      expect(() => new Asset({ name: "" })).toThrow(/non-empty string name/);
      expect(() => new AssetUriRef({ uri: 3 as unknown as string })).toThrow(StateStoreError);
    });
  });
});
