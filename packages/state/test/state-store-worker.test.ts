import { describe, expect, it } from "vitest";
import { STATE_REF_KEY } from "../src/state-ref.js";
import { StateStoreError } from "../src/state-store-error.js";
import { RecordingWorker } from "./support/recording-worker.js";
import { ASSET, storeFixture, TASK } from "./support/store-fixture.js";

async function rejection(promise: Promise<unknown>): Promise<StateStoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StateStoreError);
  return error as StateStoreError;
}

function workerFixture(settings: Parameters<typeof storeFixture>[0] = {}) {
  const worker = new RecordingWorker();
  return {
    worker,
    ...storeFixture({ side: "worker", workerBackend: worker, references: "accept", ...settings }),
  };
}

describe("state store, worker side: offloading", () => {
  it("offloads a value and stores only the envelope, for task and asset state", async () => {
    const { store, backend, worker } = workerFixture();
    await store.set(TASK, "k", { big: [1, 2] });
    await store.set(ASSET, "a", "x");
    expect(backend.raw(TASK, "k")?.value).toBe(`{"${STATE_REF_KEY}":"mem://k"}`);
    expect(worker.objects.get("mem://k")).toBe('{"big":[1,2]}');
    expect(worker.calls.filter((c) => c.op === "serialize").map((c) => [c.kind, c.key])).toEqual([
      ["task", "k"],
      ["asset", "a"],
    ]);
  });

  it("resolves a reference on read with the scope and key", async () => {
    const { store, worker } = workerFixture();
    await store.set(TASK, "k", { big: [1, 2] });
    const entry = await store.getEntry(TASK, "k");
    expect(entry).toMatchObject({ value: { big: [1, 2] }, reference: "mem://k" });
    expect(entry?.text).toBe(`{"${STATE_REF_KEY}":"mem://k"}`);
    expect(worker.calls.find((c) => c.op === "deserialize")).toEqual({
      op: "deserialize",
      kind: "task",
      key: "k",
      ref: "mem://k",
      scope: TASK,
    });
    await store.set(ASSET, "a", [3]);
    expect(await store.get(ASSET, "a")).toEqual([3]);
  });

  it("keeps a value inline when the worker backend returns null, under the size limit", async () => {
    const { store, backend, worker } = workerFixture({ maxValueStorageBytes: 8 });
    worker.offload = () => false;
    await store.set(TASK, "k", "small");
    expect(backend.raw(TASK, "k")?.value).toBe('"small"');
    expect(await store.get(TASK, "k")).toBe("small");
    expect((await rejection(store.set(TASK, "k", "much too long"))).code).toBe("VALUE_TOO_LARGE");
  });

  it("offloads a value over the limit, whose envelope fits", async () => {
    const { store, backend } = workerFixture({ maxValueStorageBytes: 40 });
    await store.set(TASK, "k", "x".repeat(1000));
    expect(backend.raw(TASK, "k")?.value).toBe(`{"${STATE_REF_KEY}":"mem://k"}`);
    expect(await store.get(TASK, "k")).toBe("x".repeat(1000));
  });

  it("refuses a reference that is neither a non-empty string nor null", async () => {
    const { store, backend, worker } = workerFixture();
    for (const ref of ["", 42]) {
      worker.refFor = () => ref;
      const error = await rejection(store.set(TASK, "k", 1));
      expect(error.code).toBe("CONFIG_ERROR");
      expect(error.message).toContain("RecordingWorker");
    }
    expect(backend.callsOf("set")).toEqual([]);
  });

  it("keeps a conditional write inline, and refuses one too large to stay inline", async () => {
    const { store, backend, worker } = workerFixture({ maxValueStorageBytes: 10 });
    await store.set(TASK, "k", "v", { ifAbsent: true });
    expect(backend.raw(TASK, "k")?.value).toBe('"v"');
    expect(await store.replace(TASK, "k", "w", { ifVersion: 1 })).toMatchObject({ value: "w" });
    expect(worker.calls.filter((c) => c.op === "serialize")).toEqual([]);
    const error = await rejection(store.set(TASK, "k", "x".repeat(20), { ifVersion: 2 }));
    expect(error.code).toBe("VALUE_TOO_LARGE");
    expect(error.details).toMatchObject({ operation: "compare-and-set", limit: 10, size: 22 });
  });

  it("passes values through as stored on the server side, even with a worker backend", async () => {
    const worker = new RecordingWorker();
    const { store, backend } = storeFixture({ workerBackend: worker, references: "accept" });
    await store.set(TASK, "k", { [STATE_REF_KEY]: "mem://gone" });
    await store.set(TASK, "j", "x".repeat(100));
    expect(backend.raw(TASK, "j")?.value).toBe(JSON.stringify("x".repeat(100)));
    expect(await store.getEntry(TASK, "k")).toMatchObject({
      value: { [STATE_REF_KEY]: "mem://gone" },
      reference: "mem://gone",
    });
    expect(worker.calls.filter((c) => c.op !== "delete")).toEqual([]);
  });
});

describe("state store, worker side: reading stored envelopes", () => {
  it("is a CONFIG_ERROR naming the option when no worker backend can resolve a reference", async () => {
    const { store, backend } = storeFixture({ side: "worker" });
    backend.seed(TASK, "k", JSON.stringify({ [STATE_REF_KEY]: "s3://b/k" }));
    const error = await rejection(store.get(TASK, "k"));
    expect(error.code).toBe("CONFIG_ERROR");
    expect(error.details).toEqual({ option: "workers.state_store_backend", ref: "s3://b/k" });
  });

  it("warns about a malformed envelope and returns it as stored", async () => {
    const warnings: [string, Readonly<Record<string, unknown>>][] = [];
    const { store, backend } = workerFixture({ onWarning: (m, d) => warnings.push([m, d]) });
    const malformed = { [STATE_REF_KEY]: "mem://k", extra: 1 };
    backend.seed(TASK, "k", JSON.stringify(malformed));
    backend.seed(TASK, "e", JSON.stringify({ [STATE_REF_KEY]: "" }));
    expect(await store.get(TASK, "k")).toEqual(malformed);
    expect(await store.get(TASK, "e")).toEqual({ [STATE_REF_KEY]: "" });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]?.[0]).toContain("not a valid reference envelope");
    expect(warnings[0]?.[1]).toEqual({
      key: "k",
      scope: 'task instance dag_id="d" run_id="r" task_id="t" map_index=-1',
    });
  });

  it("does not warn about plain values, nor without a worker backend", async () => {
    const warnings: string[] = [];
    const { store, backend } = workerFixture({ onWarning: (m) => warnings.push(m) });
    backend.seed(TASK, "k", '{"a":1}');
    expect(await store.get(TASK, "k")).toEqual({ a: 1 });
    const bare = storeFixture({ side: "worker", onWarning: (m) => warnings.push(m) });
    bare.backend.seed(TASK, "k", JSON.stringify({ [STATE_REF_KEY]: 1 }));
    expect(await bare.store.get(TASK, "k")).toEqual({ [STATE_REF_KEY]: 1 });
    expect(warnings).toEqual([]);
  });

  it("list and put show the stored envelope, without resolving", async () => {
    const { store, worker } = workerFixture();
    const put = await store.put(TASK, "k", { big: true });
    expect(put).toMatchObject({ value: { [STATE_REF_KEY]: "mem://k" }, reference: "mem://k" });
    const page = await store.list(TASK);
    expect(page.entries[0]).toMatchObject({ value: { [STATE_REF_KEY]: "mem://k" }, reference: "mem://k" });
    expect(worker.calls.filter((c) => c.op === "deserialize")).toEqual([]);
  });
});

describe("state store, worker side: deletes and clears", () => {
  it("removes the database row first, then the object", async () => {
    const { store, backend, worker } = workerFixture();
    await store.set(TASK, "k", 1);
    const order: string[] = [];
    worker.order = order;
    const del = backend.delete.bind(backend);
    backend.delete = async (...args) => {
      order.push("backend.delete");
      await del(...args);
    };
    const clear = backend.clear.bind(backend);
    backend.clear = async (...args) => {
      order.push("backend.clear");
      await clear(...args);
    };
    await store.delete(TASK, "k");
    await store.clear(TASK, { allMapIndices: true });
    expect(order).toEqual(["backend.delete", "worker.delete", "backend.clear", "worker.clear"]);
    expect(worker.objects.size).toBe(0);
  });

  it("removes the object after a conditional delete, and not when the condition fails", async () => {
    const { store, worker } = workerFixture();
    await store.set(TASK, "k", 1);
    await store.set(TASK, "k", 2);
    await rejection(store.delete(TASK, "k", { ifVersion: 1 }));
    expect(worker.calls.filter((c) => c.op === "delete")).toEqual([]);
    await store.delete(TASK, "k", { ifVersion: 2 });
    expect(worker.calls.filter((c) => c.op === "delete")).toHaveLength(1);
  });

  it("wraps a worker failure after the row is gone, keeping its code", async () => {
    const { store, backend, worker } = workerFixture();
    await store.set(TASK, "k", 1);
    worker.failDelete = new StateStoreError("BACKEND_UNAVAILABLE", "bucket unreachable");
    const error = await rejection(store.delete(TASK, "k"));
    expect(error.code).toBe("BACKEND_UNAVAILABLE");
    expect(error.details).toEqual({ backend: "RecordingWorker", databaseDone: true });
    expect(error.message).toContain('delete of task state key "k"');
    expect(error.cause).toBe(worker.failDelete);
    expect(backend.raw(TASK, "k")).toBeUndefined();

    worker.failClear = new Error("denied");
    const cleared = await rejection(store.clear(ASSET));
    expect(cleared.code).toBe("BACKEND_UNAVAILABLE");
    expect(cleared.message).toContain("clear of asset state");
    expect(cleared.message).toContain("denied");
  });

  it("clearWorkerBackend removes only the objects", async () => {
    const { store, backend, worker } = workerFixture();
    await store.set(TASK, "k", 1);
    await store.clearWorkerBackend(TASK);
    expect(backend.callsOf("clear")).toEqual([]);
    expect(worker.objects.size).toBe(0);
  });

  it("without a worker backend deletes and clears only rows", async () => {
    const { store, backend } = storeFixture({ side: "worker" });
    await store.set(TASK, "k", 1);
    await store.delete(TASK, "k");
    await store.clear(TASK);
    await store.clearWorkerBackend(TASK);
    expect(backend.callsOf("delete", "clear").map((c) => c.op)).toEqual(["delete", "clear"]);
  });
});
