import { describe, expect, it } from "vitest";
import { StateStoreError } from "../src/state-store-error.js";
import { ASSET, storeFixture, TASK } from "./support/store-fixture.js";

async function rejection(promise: Promise<unknown>): Promise<StateStoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StateStoreError);
  return error as StateStoreError;
}

describe("state store: malformed conditions", () => {
  it.each([
    ["ifVersion 0", { ifVersion: 0 }, "ifVersion"],
    ["ifVersion 1.5", { ifVersion: 1.5 }, "ifVersion"],
    ["ifAbsent as text", { ifAbsent: "yes" as unknown as boolean }, "ifAbsent"],
    ["ifVersion with ifAbsent", { ifVersion: 1, ifAbsent: true }, "ifAbsent"],
    ["ifMatch with ifAbsent", { ifMatch: [1], ifAbsent: true }, "ifAbsent"],
    ["an empty ifMatch", { ifMatch: [] }, "ifMatch"],
    ["ifMatch with 0", { ifMatch: [2, 0] }, "ifMatch"],
    ["ifMatch as text", { ifMatch: "3" as unknown as "*" }, "ifMatch"],
    ["ifVersion with ifMatch", { ifVersion: 1, ifMatch: [1] }, "ifMatch"],
  ])("refuses %s before the backend is called", async (_what, condition, field) => {
    const { store, backend } = storeFixture();
    for (const call of [
      () => store.set(TASK, "k", 1, condition),
      () => store.replace(TASK, "k", 1, condition),
      () => store.delete(TASK, "k", condition),
    ]) {
      const error = await rejection(call());
      expect(error.code).toBe("INVALID_VALUE");
      expect(error.details).toEqual({ field });
    }
    expect(backend.calls).toEqual([]);
  });
});

describe("state store: compare-and-set writes", () => {
  it("ifAbsent creates a key at version 1, then conflicts with the live value", async () => {
    const { store, backend } = storeFixture();
    expect(await store.set(TASK, "k", 1, { ifAbsent: true })).toEqual({ version: 1 });
    const error = await rejection(store.set(TASK, "k", 2, { ifAbsent: true }));
    expect(error.code).toBe("CONFLICT");
    expect(error.details).toEqual({ key: "k", currentVersion: 1 });
    expect(error.message).toBe(
      "key 'k' is at version 1, so ifAbsent does not hold; read it again (its version is 1) and retry",
    );
    expect(await store.get(TASK, "k")).toBe(1);
    // The backend gets exactly the member that applies, never an explicit `ifVersion: undefined`.
    expect(backend.callsOf("set")[0]?.options).toEqual({ expiresAt: null, ifAbsent: true });
    expect(Object.keys(backend.callsOf("set")[0]?.options as object)).not.toContain("ifVersion");
  });

  it("ifAbsent succeeds over an expired value", async () => {
    const { store, clock } = storeFixture();
    await store.set(TASK, "k", 1, { expiresAt: "2026-01-01T00:00:10Z" });
    clock.advance(10_000);
    expect(await store.set(TASK, "k", 2, { ifAbsent: true })).toEqual({ version: 1 });
    expect(await store.get(TASK, "k")).toBe(2);
  });

  it("ifVersion writes at that version and returns the next one", async () => {
    const { store, backend } = storeFixture();
    await store.set(TASK, "k", "a");
    await store.set(TASK, "k", "b");
    expect(await store.set(TASK, "k", "c", { ifVersion: 2 })).toEqual({ version: 3 });
    expect(backend.callsOf("set")[2]?.options).toEqual({ expiresAt: null, ifVersion: 2 });
    // One version: the backend enforces it atomically, with no read first.
    expect(backend.callsOf("getEntry")).toEqual([]);
    const error = await rejection(store.set(TASK, "k", "d", { ifVersion: 2 }));
    expect(error.code).toBe("CONFLICT");
    expect(error.details.currentVersion).toBe(3);
    expect(await store.get(TASK, "k")).toBe("c");
  });

  it("ifVersion on a missing key says there is no live value", async () => {
    const { store } = storeFixture();
    const error = await rejection(store.set(TASK, "k", 1, { ifVersion: 4 }));
    expect(error.code).toBe("CONFLICT");
    expect(error.details.currentVersion).toBeNull();
    expect(error.message).toBe(
      "key 'k' has no live value, so ifVersion 4 does not hold; read it again, or use ifAbsent to create it",
    );
  });

  it("an If-Match list pins the live version when it is one of them", async () => {
    const { store, backend } = storeFixture();
    await store.set(TASK, "k", "a");
    await store.set(TASK, "k", "b");
    expect(await store.set(TASK, "k", "c", { ifMatch: [1, 2], conditionStyle: "http" })).toEqual({
      version: 3,
    });
    expect(backend.callsOf("set")[2]?.options).toEqual({ expiresAt: null, ifVersion: 2 });
    const error = await rejection(store.set(TASK, "k", "d", { ifMatch: [1, 2], conditionStyle: "http" }));
    expect(error.code).toBe("PRECONDITION_FAILED");
    expect(error.httpStatus).toBe(412);
    expect(error.message).toBe(
      `key 'k' is at version 3, so If-Match: "1", "2" does not hold; read it again (its ETag is "3") and retry`,
    );
    expect(backend.callsOf("set")).toHaveLength(3);
  });

  it("If-Match: * needs a live value; If-None-Match: * needs none", async () => {
    const { store } = storeFixture();
    const missing = await rejection(store.set(TASK, "k", 1, { ifMatch: "*", conditionStyle: "http" }));
    expect(missing.code).toBe("PRECONDITION_FAILED");
    expect(missing.message).toBe(
      "key 'k' has no live value, so If-Match: * does not hold; read it again, or use If-None-Match: * to create it",
    );
    await store.set(TASK, "k", 1, { ifAbsent: true, conditionStyle: "http" });
    expect(await store.set(TASK, "k", 2, { ifMatch: "*" })).toEqual({ version: 2 });
    const exists = await rejection(store.set(TASK, "k", 3, { ifAbsent: true, conditionStyle: "http" }));
    expect(exists.code).toBe("PRECONDITION_FAILED");
    expect(exists.message).toContain("If-None-Match: * does not hold");
    const star = await rejection(store.set(TASK, "gone", 3, { ifMatch: "*" }));
    expect(star.code).toBe("CONFLICT");
    expect(star.message).toContain("a live value does not hold");
  });

  it("words a backend's CONFLICT once, with the live version read after it", async () => {
    const { store, backend } = storeFixture();
    await store.set(TASK, "k", 1);
    backend.beforeSet = () => {
      backend.beforeSet = undefined;
      backend.seed(TASK, "k", "9", { version: 5 });
    };
    const error = await rejection(store.set(TASK, "k", 2, { ifMatch: "*", conditionStyle: "http" }));
    expect(error.code).toBe("PRECONDITION_FAILED");
    expect(error.details.currentVersion).toBe(5);
  });

  it("put writes and reads the entry back", async () => {
    const { store } = storeFixture();
    const entry = await store.put(TASK, "k", { a: 1 }, { ifAbsent: true });
    expect(entry).toMatchObject({ key: "k", value: { a: 1 }, version: 1, expiresAt: null });
    expect((await store.put(TASK, "k", 2)).version).toBe(2);
  });

  it("put is CONFLICT when another writer deleted the key before the read back", async () => {
    const { store, backend } = storeFixture();
    const set = backend.set.bind(backend);
    backend.set = async (scope, key, value, options) => {
      await set(scope, key, value, options);
      await backend.delete(scope, key);
    };
    const error = await rejection(store.put(TASK, "k", 1));
    expect(error.code).toBe("CONFLICT");
    expect(error.message).toMatch(/deleted by another writer/);
  });
});

describe("state store: replace", () => {
  it("keeps expiresAt and guards the write with the version it read", async () => {
    const { store, backend } = storeFixture();
    await store.set(TASK, "k", 1, { expiresAt: "2026-02-01T00:00:00Z" });
    const entry = await store.replace(TASK, "k", 2, { expiresAt: "2030-01-01T00:00:00Z" });
    expect(entry).toMatchObject({ value: 2, version: 2 });
    expect(entry.expiresAt?.toISOString()).toBe("2026-02-01T00:00:00.000Z");
    expect(backend.callsOf("set")[1]?.options).toEqual({
      expiresAt: new Date("2026-02-01T00:00:00Z"),
      ifVersion: 1,
    });
  });

  it("is NOT_FOUND in Airflow's wording for a missing or expired key, writing nothing", async () => {
    const { store, backend, clock } = storeFixture();
    const missing = await rejection(store.replace(TASK, "k", 1));
    expect(missing.code).toBe("NOT_FOUND");
    expect(missing.message).toBe("Task state store key 'k' not found");
    expect((await rejection(store.replace(ASSET, "k", 1))).message).toBe(
      "Asset state store key 'k' not found",
    );
    await store.set(TASK, "k", 1, { expiresAt: "2026-01-01T00:01:00Z" });
    clock.advance(60_000);
    expect((await rejection(store.replace(TASK, "k", 2))).code).toBe("NOT_FOUND");
    expect(backend.callsOf("set")).toHaveLength(1);
  });

  it("retries when another writer got in between, and never resurrects a deleted key", async () => {
    const { store, backend } = storeFixture();
    await store.set(TASK, "k", 1);
    const concurrent = [10, 20];
    backend.beforeSet = () => {
      const version = concurrent.shift();
      if (version !== undefined) backend.seed(TASK, "k", "0", { version });
    };
    expect(await store.replace(TASK, "k", 2)).toMatchObject({ value: 2, version: 21 });
    expect(backend.callsOf("set").map((c) => (c.options as { ifVersion?: number }).ifVersion)).toEqual([
      undefined,
      1,
      10,
      20,
    ]);

    backend.beforeSet = () => {
      backend.beforeSet = undefined;
      void backend.delete(TASK, "k");
    };
    expect((await rejection(store.replace(TASK, "k", 3))).code).toBe("NOT_FOUND");
    expect(backend.raw(TASK, "k")).toBeUndefined();
  });

  it("gives up with CONFLICT after a few attempts", async () => {
    const { store, backend } = storeFixture();
    await store.set(TASK, "k", 1);
    let version = 1;
    backend.beforeSet = () => {
      version += 1;
      backend.seed(TASK, "k", "0", { version });
    };
    const error = await rejection(store.replace(TASK, "k", 2));
    expect(error.code).toBe("CONFLICT");
    expect(error.details.currentVersion).toBe(version);
    expect(backend.callsOf("set")).toHaveLength(1 + 5);
  });

  it("writes unguarded on a backend without compare-and-set", async () => {
    const { store, backend } = storeFixture({}, { capabilities: { compareAndSet: false } });
    await store.set(TASK, "k", 1);
    expect((await store.replace(TASK, "k", 2)).value).toBe(2);
    expect(backend.callsOf("set")[1]?.options).toEqual({ expiresAt: null });
  });

  it("checks a condition against the live entry and fails without writing", async () => {
    const { store, backend } = storeFixture();
    await store.set(TASK, "k", 1);
    await store.set(TASK, "k", 2);
    expect((await store.replace(TASK, "k", 3, { ifMatch: [1, 2] })).version).toBe(3);
    const stale = await rejection(store.replace(TASK, "k", 4, { ifVersion: 2, conditionStyle: "http" }));
    expect(stale.code).toBe("PRECONDITION_FAILED");
    expect(stale.details.currentVersion).toBe(3);
    const absent = await rejection(store.replace(TASK, "k", 4, { ifAbsent: true }));
    expect(absent.code).toBe("CONFLICT");
    expect(backend.callsOf("set")).toHaveLength(3);
  });

  it("fails a condition once when a writer races it", async () => {
    const { store, backend } = storeFixture();
    await store.set(TASK, "k", 1);
    backend.beforeSet = () => {
      backend.beforeSet = undefined;
      backend.seed(TASK, "k", "0", { version: 8 });
    };
    const error = await rejection(store.replace(TASK, "k", 2, { ifVersion: 1 }));
    expect(error.code).toBe("CONFLICT");
    expect(error.details.currentVersion).toBe(8);
    expect(backend.callsOf("set")).toHaveLength(2);
  });

  it("records the writer of asset state and never gives it an expiry", async () => {
    const { store, backend } = storeFixture({}, { capabilities: { writerTracking: true } });
    await store.set(ASSET, "k", 1, { writer: { kind: "watcher" } });
    const entry = await store.replace(ASSET, "k", 2, { writer: { kind: "api" } });
    expect(entry).toMatchObject({ value: 2, lastUpdatedBy: { kind: "api" }, expiresAt: null });
    expect(backend.callsOf("set")[1]?.options).toEqual({ writer: { kind: "api" }, ifVersion: 1 });
  });
});

describe("state store: conditional deletes", () => {
  it("deletes at a version in one backend statement", async () => {
    const { store, backend } = storeFixture();
    await store.set(TASK, "k", 1);
    await store.delete(TASK, "k", { ifVersion: 1 });
    expect(await store.get(TASK, "k")).toBeNull();
    expect(backend.callsOf("delete")).toEqual([{ op: "delete", key: "k", options: { ifVersion: 1 } }]);
  });

  it("fails a stale version with the live version, deleting nothing", async () => {
    const { store } = storeFixture();
    await store.set(TASK, "k", 1);
    await store.set(TASK, "k", 2);
    const error = await rejection(store.delete(TASK, "k", { ifMatch: [1], conditionStyle: "http" }));
    expect(error.code).toBe("PRECONDITION_FAILED");
    expect(error.details.currentVersion).toBe(2);
    expect(await store.get(TASK, "k")).toBe(2);
  });

  it("If-Match: * and lists pin the live version; a missing key fails", async () => {
    const { store, backend } = storeFixture();
    await store.set(TASK, "k", 1);
    await store.set(TASK, "k", 2);
    await store.delete(TASK, "k", { ifMatch: [5, 2] });
    expect(backend.callsOf("delete")[0]?.options).toEqual({ ifVersion: 2 });
    await store.set(TASK, "k", 1);
    await store.delete(TASK, "k", { ifMatch: "*" });
    expect(await store.get(TASK, "k")).toBeNull();
    expect((await rejection(store.delete(TASK, "k", { ifMatch: "*" }))).code).toBe("CONFLICT");
  });

  it("ifAbsent succeeds only when there is nothing to delete", async () => {
    const { store, backend } = storeFixture();
    await store.delete(TASK, "k", { ifAbsent: true });
    await store.set(TASK, "k", 1);
    const error = await rejection(store.delete(TASK, "k", { ifAbsent: true }));
    expect(error.code).toBe("CONFLICT");
    expect(error.details.currentVersion).toBe(1);
    expect(backend.callsOf("delete")).toEqual([]);
  });

  it("an unconditional delete of a missing key is a no-op", async () => {
    const { store } = storeFixture();
    await expect(store.delete(TASK, "missing")).resolves.toBeUndefined();
  });
});
