import { describe, expect, it } from "vitest";
import { assetScope } from "../src/scope.js";
import { createStateStore } from "../src/state-store.js";
import { StateStoreError } from "../src/state-store-error.js";
import { MapBackend } from "./support/map-backend.js";
import { ASSET, storeFixture, TASK } from "./support/store-fixture.js";

async function rejection(promise: Promise<unknown>): Promise<StateStoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StateStoreError);
  return error as StateStoreError;
}

const SOON = new Date("2026-01-01T00:01:00Z");

describe("state store: the expiry filter", () => {
  it("never returns an expired entry, even from a backend that does", async () => {
    const { store, backend, clock } = storeFixture({}, { returnExpired: true });
    backend.seed(TASK, "k", "1", { expiresAt: SOON });
    expect(await store.get(TASK, "k")).toBe(1);
    clock.advance(59_999);
    expect(await store.get(TASK, "k")).toBe(1);
    clock.advance(1); // at expiresAt: expired
    expect(await backend.get(TASK, "k")).toBe("1");
    expect(await store.get(TASK, "k")).toBeNull();
    expect(await store.getEntry(TASK, "k")).toBeNull();
    expect((await rejection(store.require(TASK, "k"))).code).toBe("NOT_FOUND");
  });

  it("treats asset state as never expiring, whatever the backend returns", async () => {
    const { store, backend, clock } = storeFixture({}, { returnExpired: true });
    backend.seed(ASSET, "k", "1", { expiresAt: SOON });
    clock.advance(3_600_000);
    expect(await store.getEntry(ASSET, "k")).toMatchObject({ value: 1, expiresAt: null });
    expect((await store.list(ASSET)).entries.map((e) => e.key)).toEqual(["k"]);
  });

  it("conditions see no live value once it expired", async () => {
    const { store, backend, clock } = storeFixture({}, { returnExpired: true });
    backend.seed(TASK, "k", "1", { expiresAt: SOON, version: 4 });
    clock.advance(60_000);
    const error = await rejection(store.set(TASK, "k", 2, { ifMatch: "*" }));
    expect(error.details.currentVersion).toBeNull();
    expect((await rejection(store.replace(TASK, "k", 2))).code).toBe("NOT_FOUND");
    await store.delete(TASK, "k", { ifAbsent: true });
  });
});

describe("state store: list", () => {
  async function seeded(options: Parameters<typeof storeFixture>[1] = {}) {
    const fixture = storeFixture({}, options);
    for (const key of ["b", "a", "c/1", "c/2", "d"]) await fixture.store.set(TASK, key, key);
    return fixture;
  }

  it("lists live keys in key order with the total, as entries", async () => {
    const { store } = await seeded();
    const page = await store.list(TASK);
    expect(page.entries.map((e) => e.key)).toEqual(["a", "b", "c/1", "c/2", "d"]);
    expect(page.entries[0]).toMatchObject({ value: "a", text: '"a"', version: 1, reference: null });
    expect(page).toMatchObject({ total: 5, nextCursor: null });
  });

  it("passes prefix, limit and offset, and the default page of 100", async () => {
    const { store, backend } = await seeded();
    const page = await store.list(TASK, { prefix: "c/", limit: 1, offset: 1 });
    expect(page.entries.map((e) => e.key)).toEqual(["c/2"]);
    expect(page.total).toBe(2);
    await store.list(TASK);
    expect(backend.callsOf("list").map((c) => c.options)).toEqual([
      { prefix: "c/", limit: 1, offset: 1 },
      { prefix: "", limit: 100, offset: 0 },
    ]);
  });

  it("passes a cursor instead of the offset, and pages to the end", async () => {
    const { store, backend } = await seeded();
    const first = await store.list(TASK, { limit: 2 });
    expect(first.entries.map((e) => e.key)).toEqual(["a", "b"]);
    expect(first.nextCursor).toBe("b");
    const second = await store.list(TASK, { limit: 2, offset: 3, cursor: first.nextCursor ?? "" });
    expect(second.entries.map((e) => e.key)).toEqual(["c/1", "c/2"]);
    const last = await store.list(TASK, { limit: 2, cursor: second.nextCursor ?? "" });
    expect(last).toMatchObject({ nextCursor: null });
    expect(last.entries.map((e) => e.key)).toEqual(["d"]);
    expect(backend.callsOf("list")[1]?.options).toEqual({ prefix: "", limit: 2, cursor: "b" });
  });

  it("filters expired entries out of a page and out of the total", async () => {
    const { store, backend, clock } = storeFixture({}, { returnExpired: true });
    backend.seed(TASK, "a", "1");
    backend.seed(TASK, "b", "2", { expiresAt: SOON });
    backend.seed(TASK, "c", "3");
    clock.advance(60_000);
    const page = await store.list(TASK);
    expect(page.entries.map((e) => e.key)).toEqual(["a", "c"]);
    expect(page.total).toBe(2);
  });

  it("omits the total when the backend does not count", async () => {
    const { store } = await seeded({ countTotal: false });
    const page = await store.list(TASK, { limit: 2 });
    expect(page).not.toHaveProperty("total");
    expect(page.nextCursor).toBe("b");
  });

  it.each([
    [{ limit: 1001 }, "limit"],
    [{ limit: -1 }, "limit"],
    [{ limit: 2.5 }, "limit"],
    [{ offset: -1 }, "offset"],
    [{ prefix: 3 as unknown as string }, "prefix"],
    [{ cursor: 3 as unknown as string }, "cursor"],
  ])("refuses a bad page %j before the backend is called", async (options, field) => {
    const { store, backend } = storeFixture();
    const error = await rejection(store.list(TASK, options));
    expect(error.code).toBe("INVALID_VALUE");
    expect(error.details).toEqual({ field });
    expect(backend.calls).toEqual([]);
  });
});

describe("state store: countKeys", () => {
  it("takes the backend's count, less what expired on the probe", async () => {
    const { store, backend, clock } = storeFixture({}, { returnExpired: true });
    backend.seed(TASK, "a", "1", { expiresAt: SOON });
    backend.seed(TASK, "b", "2");
    clock.advance(60_000);
    expect(await store.countKeys(TASK)).toBe(1);
    expect(backend.callsOf("list")).toHaveLength(1);
  });

  it("walks the cursors of a backend that does not count", async () => {
    const { store, backend } = storeFixture({}, { countTotal: false });
    for (let i = 0; i < 2500; i++) backend.seed(TASK, `k${String(i).padStart(4, "0")}`, "1");
    expect(await store.countKeys(TASK)).toBe(2500);
    expect(backend.callsOf("list").map((c) => (c.options as { cursor?: string }).cursor)).toEqual([
      undefined,
      undefined,
      "k0999",
      "k1999",
    ]);
  });

  it("counts only live keys while walking", async () => {
    const { store, backend, clock } = storeFixture({}, { countTotal: false, returnExpired: true });
    backend.seed(TASK, "a", "1", { expiresAt: SOON });
    backend.seed(TASK, "b", "1");
    clock.advance(60_000);
    expect(await store.countKeys(TASK)).toBe(1);
  });

  it("stops on a backend that ignores the cursor instead of looping forever", async () => {
    const { store, backend } = storeFixture({}, { countTotal: false, ignoreCursor: true });
    for (let i = 0; i < 1500; i++) backend.seed(TASK, `k${String(i).padStart(4, "0")}`, "1");
    expect(await store.countKeys(TASK)).toBe(1000);
    expect(backend.callsOf("list")).toHaveLength(3);
  });

  it("stops on a backend that repeats a page under new cursors", async () => {
    const { store, backend } = storeFixture({}, { countTotal: false });
    backend.seed(TASK, "a", "1");
    backend.seed(TASK, "b", "1");
    let n = 0;
    const list = backend.list.bind(backend);
    backend.list = async (scope, options) => ({ ...(await list(scope, options)), nextCursor: `c${n++}` });
    expect(await store.countKeys(TASK)).toBe(2);
    expect(backend.callsOf("list")).toHaveLength(3);
  });

  it("stops on a page without new keys, even an empty one with a cursor", async () => {
    const { store, backend } = storeFixture({}, { countTotal: false });
    backend.list = async (_scope, options) => {
      backend.calls.push({ op: "list", options });
      return { entries: [], nextCursor: `after-${options?.cursor ?? ""}` };
    };
    expect(await store.countKeys(TASK)).toBe(0);
    expect(backend.callsOf("list")).toHaveLength(2);
  });

  it("stops on a cursor seen before", async () => {
    const { store, backend } = storeFixture({}, { countTotal: false });
    const keys = ["a", "b", "c", "d"];
    backend.list = async (_scope, options) => {
      backend.calls.push({ op: "list", options });
      const key = keys.shift() ?? "z";
      const entry = { key, value: "1", version: 1, updatedAt: null, expiresAt: null };
      return { entries: [entry], nextCursor: options?.cursor === "x" ? "y" : "x" };
    };
    // The probe takes "a"; the walk counts "b", "c" and "d", whose page hands back cursor x again.
    expect(await store.countKeys(TASK)).toBe(3);
    expect(backend.callsOf("list")).toHaveLength(4);
  });
});

describe("state store: cleanup and close", () => {
  it("fills the inactive assets from the settings, unless the caller gave them", async () => {
    const inactive = [assetScope({ assetId: 3 })];
    const { store, backend } = storeFixture({ inactiveAssets: async () => inactive });
    const progress = () => {};
    expect(await store.cleanup({ dryRun: true, onProgress: progress })).toEqual({
      dryRun: true,
      deleted: { asset_state_store: 0 },
      durationMs: 0,
    });
    await store.cleanup({ inactiveAssets: [] });
    expect(backend.callsOf("cleanup").map((c) => c.options)).toEqual([
      { dryRun: true, onProgress: progress, inactiveAssets: inactive },
      { inactiveAssets: [] },
    ]);
  });

  it("leaves inactiveAssets out when nothing knows them", async () => {
    const { store, backend } = storeFixture();
    await store.cleanup();
    expect(backend.callsOf("cleanup")[0]?.options).toEqual({});
  });

  it("closes the backend, and the worker backend even when the backend fails to close", async () => {
    const backend = new MapBackend({ now: () => new Date() });
    let workerClosed = 0;
    const worker = { close: async () => void workerClosed++ } as never;
    backend.close = async () => {
      throw new Error("close failed");
    };
    const store = createStateStore(backend, { side: "worker", workerBackend: worker });
    await expect(store.close()).rejects.toThrow("close failed");
    expect(workerClosed).toBe(1);
  });

  it("closes one object serving as both backends once", async () => {
    const backend = new MapBackend({ now: () => new Date() });
    const store = createStateStore(backend, { workerBackend: backend as never });
    await store.close();
    expect(backend.callsOf("close")).toHaveLength(1);
  });
});
