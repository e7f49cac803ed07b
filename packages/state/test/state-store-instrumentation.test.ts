import { describe, expect, it } from "vitest";
import { isStateStoreError } from "../src/state-store-error.js";
import type {
  StateStoreInstrumentation,
  StateStoreOperationInfo,
  StateStoreValueWritten,
} from "../src/state-store-instrumentation.js";
import { RecordingWorker } from "./support/recording-worker.js";
import { ASSET, storeFixture, TASK } from "./support/store-fixture.js";

interface Recorded {
  readonly info: StateStoreOperationInfo;
  readonly outcome: "ok" | string;
  readonly result?: unknown;
}

function recorder() {
  const operations: Recorded[] = [];
  const values: StateStoreValueWritten[] = [];
  const instrumentation: StateStoreInstrumentation = {
    async operation(info, run) {
      try {
        const result = await run();
        operations.push({ info, outcome: "ok", result });
        return result;
      } catch (error) {
        operations.push({ info, outcome: isStateStoreError(error) ? error.code : "error" });
        throw error;
      }
    },
    valueWritten(value) {
      values.push(value);
    },
  };
  return { operations, values, instrumentation };
}

describe("state store instrumentation", () => {
  it("wraps each public operation once, with its scope kind, backend and condition", async () => {
    const { operations, instrumentation } = recorder();
    const { store } = storeFixture({ instrumentation });
    await store.set(TASK, "k", 1);
    await store.put(ASSET, "a", { x: 1 }, { ifAbsent: true });
    await store.get(TASK, "k");
    await store.getEntry(TASK, "missing");
    await store.replace(TASK, "k", 2);
    await store.list(TASK);
    await store.countKeys(ASSET);
    await store.delete(TASK, "k", { ifVersion: 2 });
    await store.clear(ASSET);
    await store.cleanup();
    expect(operations.map((o) => [o.info.operation, o.info.scope, o.info.conditional])).toEqual([
      ["set", "task", false],
      ["put", "asset", true],
      ["get", "task", false],
      ["get", "task", false],
      ["replace", "task", false],
      ["list", "task", false],
      ["count_keys", "asset", false],
      ["delete", "task", true],
      ["clear", "asset", false],
      ["cleanup", null, false],
    ]);
    expect(new Set(operations.map((o) => o.info.backend))).toEqual(new Set(["MapBackend"]));
    // A read of a missing key resolves to null through the hook.
    expect(operations[3]?.result).toBeNull();
  });

  it("sees a failed operation's error and rethrows it unchanged", async () => {
    const { operations, instrumentation } = recorder();
    const { store } = storeFixture({ instrumentation });
    await store.set(TASK, "k", 1);
    await expect(store.set(TASK, "k", 2, { ifVersion: 7 })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(store.set(TASK, "", 2)).rejects.toMatchObject({ code: "INVALID_KEY" });
    expect(operations.map((o) => o.outcome)).toEqual(["ok", "CONFLICT", "INVALID_KEY"]);
  });

  it("reports each written value's size in UTF-8 bytes, and nothing for a write that failed", async () => {
    const { values, instrumentation } = recorder();
    const { store } = storeFixture({ instrumentation, maxValueStorageBytes: 10 });
    await store.set(TASK, "k", "é");
    await store.set(ASSET, "a", [1, 2]);
    await expect(store.set(TASK, "big", "x".repeat(20))).rejects.toMatchObject({ code: "VALUE_TOO_LARGE" });
    await expect(store.set(TASK, "k", 3, { ifVersion: 9 })).rejects.toMatchObject({ code: "CONFLICT" });
    expect(values).toEqual([
      { scope: "task", bytes: 4, offloaded: false },
      { scope: "asset", bytes: 5, offloaded: false },
    ]);
  });

  it("marks a value the worker backend offloaded, sized before the offload", async () => {
    const { values, instrumentation } = recorder();
    const worker = new RecordingWorker();
    const { store } = storeFixture({
      instrumentation,
      side: "worker",
      workerBackend: worker,
      references: "accept",
    });
    await store.set(TASK, "k", { big: [1, 2] });
    expect(values).toEqual([{ scope: "task", bytes: '{"big":[1,2]}'.length, offloaded: true }]);
  });

  it("marks a reference envelope a worker sent to the server as offloaded, sized as stored", async () => {
    const { values, instrumentation } = recorder();
    const { store } = storeFixture({ instrumentation, references: "accept" });
    const envelope = { __airflow_state_ref__: "file:///objects/k.json" };
    await store.set(TASK, "k", envelope);
    await store.set(TASK, "plain", { a: 1 });
    expect(values).toEqual([
      { scope: "task", bytes: JSON.stringify(envelope).length, offloaded: true },
      { scope: "task", bytes: '{"a":1}'.length, offloaded: false },
    ]);
  });

  it("keeps concurrent writes' reports apart", async () => {
    const { values, instrumentation } = recorder();
    const { store } = storeFixture({ instrumentation });
    await Promise.all([store.set(TASK, "a", "x"), store.set(TASK, "b", "xxxxxxxx")]);
    expect(values.map((v) => v.bytes).sort((a, b) => a - b)).toEqual([3, 10]);
  });
});
