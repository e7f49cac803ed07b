import { isStateStoreError, StateStoreError, taskScope } from "@tidemark/state";
import { storeBackendSuite, workerBackendSuite } from "@tidemark/testkit";
import { InMemoryObjectStore } from "@tidemark/testkit/object-store";
import { startInMemoryTracing } from "@tidemark/testkit/tracing";
import { describe, expect, it } from "vitest";
import { createStateStoreObjectStorageBackend } from "../src/index.js";

const scope = taskScope({ dagId: "dag", runId: "run", taskId: "task", mapIndex: -1 });

/** A backend on its own in-memory store, plugged in through the `store` option. */
function memoryFixture(compression: string, threshold = 0) {
  const store = new InMemoryObjectStore();
  const backend = createStateStoreObjectStorageBackend({ store, compression, threshold });
  return {
    backend,
    threshold,
    objectExists: async (ref: string) => {
      const key = store.objectKeyOfRef(ref);
      return key !== undefined && (await store.head(key)) !== null;
    },
  };
}

for (const compression of ["", "gzip"] as const) {
  storeBackendSuite({
    name: `StateStoreObjectStorageBackend on a custom store (InMemoryObjectStore) compression="${compression}"`,
    create: () => memoryFixture(compression),
    skip: { "backend-failure": "an in-memory store cannot fail" },
  });
  workerBackendSuite({
    name: `StateStoreObjectStorageBackend on a custom store (InMemoryObjectStore) worker compression="${compression}"`,
    create: () => memoryFixture(compression, 64),
  });
}

describe("the store option", () => {
  it("takes the store's description as the base and hands out its references", async () => {
    const store = new InMemoryObjectStore("mine");
    const backend = createStateStoreObjectStorageBackend({ store, compression: "gzip" });
    expect(backend.base).toBe("memory://mine/");
    const ref = await backend.serializeTaskStateStoreToRef({ value: 1, text: "1", key: "k", scope });
    expect(ref).toBe("memory://mine/tasks/dag/run/task/-1/k.gz");
    expect(store.size).toBe(1);
    expect(await backend.deserializeTaskStateStoreFromRef(ref as string)).toBe(1);
    const other = "memory://other/tasks/dag/run/task/-1/k.gz";
    await expect(backend.deserializeTaskStateStoreFromRef(other)).rejects.toMatchObject({
      code: "INVALID_VALUE",
    });
  });

  it("passes the store's own StateStoreError through unchanged", async () => {
    const store = new InMemoryObjectStore();
    store.get = async () => {
      throw new StateStoreError("BACKEND_UNAVAILABLE", "the service is down; try again");
    };
    const backend = createStateStoreObjectStorageBackend({ store });
    const error = await backend.get(scope, "k").catch((e: unknown) => e);
    expect(isStateStoreError(error, "BACKEND_UNAVAILABLE")).toBe(true);
    expect((error as Error).message).toBe("the service is down; try again");
  });

  it("traces the store's calls with the store's scheme as the system", async () => {
    const tracing = startInMemoryTracing();
    try {
      const backend = createStateStoreObjectStorageBackend({ store: new InMemoryObjectStore() });
      await backend.set(scope, "k", "1");
      const put = tracing.exporter.getFinishedSpans().find((s) => s.name === "object_store.put");
      expect(put?.attributes["tidemark.object_store.system"]).toBe("memory");
      expect(put?.attributes["tidemark.object_store.key"]).toBe("tasks/dag/run/task/-1/k");
    } finally {
      await tracing.stop();
    }
  });

  it("refuses both a path and a store, and a store that is not one, with CONFIG_ERROR", () => {
    const store = new InMemoryObjectStore();
    for (const options of [
      { store, path: "file:///srv/state/" },
      { store: { description: "memory://x/" } as never },
      {},
    ]) {
      let error: unknown;
      try {
        createStateStoreObjectStorageBackend(options);
      } catch (e) {
        error = e;
      }
      expect(isStateStoreError(error, "CONFIG_ERROR"), JSON.stringify(Object.keys(options))).toBe(true);
    }
  });
});
