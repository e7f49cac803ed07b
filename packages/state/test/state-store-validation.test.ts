import { describe, expect, it } from "vitest";
import { STATE_REF_KEY } from "../src/state-ref.js";
import { StateStoreError } from "../src/state-store-error.js";
import { ASSET, storeFixture, TASK } from "./support/store-fixture.js";

/** The error a promise rejects with. */
async function rejection(promise: Promise<unknown>): Promise<StateStoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StateStoreError);
  return error as StateStoreError;
}

describe("state store: keys", () => {
  it.each([
    ["empty", ""],
    ["control character", "a\u0000b"],
    ["DEL", "a\u007f"],
    ["too long", "k".repeat(513)],
  ])("refuses a %s key before the backend is called", async (_what, key) => {
    const { store, backend } = storeFixture();
    for (const call of [
      () => store.get(TASK, key),
      () => store.getEntry(TASK, key),
      () => store.require(TASK, key),
      () => store.set(TASK, key, 1),
      () => store.put(TASK, key, 1),
      () => store.replace(TASK, key, 1),
      () => store.delete(TASK, key),
    ]) {
      expect((await rejection(call())).code).toBe("INVALID_KEY");
    }
    expect(backend.calls).toEqual([]);
  });

  it("accepts slashes and any Unicode, up to 512 code points", async () => {
    const { store } = storeFixture();
    const long = "😀".repeat(512);
    await store.set(TASK, long, 1);
    await store.set(TASK, "checkpoint/München", 2);
    expect(await store.get(TASK, long)).toBe(1);
    expect(await store.get(TASK, "checkpoint/München")).toBe(2);
  });
});

describe("state store: values", () => {
  it("names the JSON path of an unstorable member and never calls the backend", async () => {
    const { store, backend } = storeFixture();
    const error = await rejection(store.set(TASK, "k", { rows: [{ delay: Number.NaN }] }));
    expect(error.code).toBe("INVALID_VALUE");
    expect(error.details.path).toBe("$.rows[0].delay");
    expect(error.message).toContain('value of key "k"');
    expect((await rejection(store.set(TASK, "k", null))).code).toBe("INVALID_VALUE");
    expect((await rejection(store.set(TASK, "k", new Date()))).message).toMatch(/toISOString/);
    expect((await rejection(store.replace(TASK, "k", 10n))).code).toBe("INVALID_VALUE");
    expect(backend.calls).toEqual([]);
  });

  it("stores the JSON text and reads the value back", async () => {
    const { store, backend } = storeFixture();
    expect(await store.set(TASK, "k", { a: [1, "x", true], b: undefined })).toEqual({ version: null });
    expect(backend.raw(TASK, "k")?.value).toBe('{"a":[1,"x",true]}');
    expect(await store.get(TASK, "k")).toEqual({ a: [1, "x", true] });
    const entry = await store.getEntry(TASK, "k");
    expect(entry).toMatchObject({ key: "k", text: '{"a":[1,"x",true]}', reference: null, version: 1 });
  });

  it("applies the size limit in UTF-8 bytes of JSON, 0 meaning none", async () => {
    const { store, backend } = storeFixture({ maxValueStorageBytes: 10 });
    await store.set(TASK, "fits", "éééé"); // 4 × 2 bytes and two quotes: exactly 10
    const error = await rejection(store.set(TASK, "big", "ééééé"));
    expect(error.code).toBe("VALUE_TOO_LARGE");
    expect(error.details).toMatchObject({ limit: 10, size: 12 });
    expect(backend.callsOf("set").map((c) => c.key)).toEqual(["fits"]);

    const unlimited = storeFixture({ maxValueStorageBytes: 0 });
    await unlimited.store.set(TASK, "k", "x".repeat(200_000));
    expect((await unlimited.store.get(TASK, "k"))?.toString().length).toBe(200_000);
  });

  it("defaults the size limit to 65,535 bytes", async () => {
    const { store } = storeFixture();
    await store.set(TASK, "k", "x".repeat(65_533));
    expect((await rejection(store.set(TASK, "k", "x".repeat(65_534)))).code).toBe("VALUE_TOO_LARGE");
  });
});

describe("state store: references policy", () => {
  const envelope = { [STATE_REF_KEY]: "s3://bucket/k" };

  it("refuses the reserved member by default, before the backend is called", async () => {
    const { store, backend } = storeFixture();
    const error = await rejection(store.set(TASK, "k", envelope));
    expect(error.code).toBe("INVALID_VALUE");
    expect(error.details).toMatchObject({ reserved: STATE_REF_KEY });
    expect((await rejection(store.set(TASK, "k", { [STATE_REF_KEY]: 1, other: 2 }))).code).toBe(
      "INVALID_VALUE",
    );
    expect(backend.calls).toEqual([]);
  });

  it("lets a sealed restore write an envelope, and only an envelope", async () => {
    const { store, backend } = storeFixture();
    await store.set(TASK, "k", envelope, { restoreReference: true });
    expect(await store.getEntry(TASK, "k")).toMatchObject({ value: envelope, reference: "s3://bucket/k" });
    const error = await rejection(store.set(TASK, "j", { a: 1 }, { restoreReference: true }));
    expect(error.code).toBe("INVALID_VALUE");
    expect(error.message).toMatch(/not a reference envelope/);
    expect(backend.callsOf("set")).toHaveLength(1);
  });

  it("accepts envelopes where workers write them", async () => {
    const { store } = storeFixture({ references: "accept" });
    await store.set(TASK, "k", envelope);
    expect(await store.get(TASK, "k")).toEqual(envelope);
  });

  it("accepts the reserved member nested deeper, which is no envelope", async () => {
    const { store } = storeFixture();
    await store.set(TASK, "k", { data: envelope });
    expect(await store.get(TASK, "k")).toEqual({ data: envelope });
  });
});

describe("state store: capability gating", () => {
  it("refuses compare-and-set options on a backend without it, before the backend is called", async () => {
    const { store, backend } = storeFixture({}, { capabilities: { compareAndSet: false } });
    for (const call of [
      () => store.set(TASK, "k", 1, { ifVersion: 1 }),
      () => store.set(TASK, "k", 1, { ifAbsent: true }),
      () => store.set(TASK, "k", 1, { ifMatch: "*" }),
      () => store.put(TASK, "k", 1, { ifMatch: [1, 2] }),
      () => store.replace(TASK, "k", 1, { ifVersion: 1 }),
      () => store.replace(TASK, "k", 1, { ifAbsent: true }),
      () => store.delete(TASK, "k", { ifVersion: 1 }),
      () => store.delete(TASK, "k", { ifAbsent: true }),
    ]) {
      const error = await rejection(call());
      expect(error.code).toBe("NOT_SUPPORTED");
      expect(error.details).toMatchObject({ backend: "MapBackend" });
    }
    expect(backend.calls).toEqual([]);
  });

  it("refuses an expiry on a backend without expiry; none is fine", async () => {
    const { store, backend } = storeFixture({}, { capabilities: { expiry: false } });
    const error = await rejection(store.set(TASK, "k", 1, { expiresAt: "2030-01-01T00:00:00Z" }));
    expect(error.code).toBe("NOT_SUPPORTED");
    expect(backend.calls).toEqual([]);
    await store.set(TASK, "k", 1, { expiresAt: null });
    expect(backend.callsOf("set")[0]?.options).toEqual({ expiresAt: null });
  });

  it("refuses listing without listKeys, and counts 0 there", async () => {
    const { store, backend } = storeFixture({}, { capabilities: { listKeys: false } });
    expect((await rejection(store.list(TASK))).code).toBe("NOT_SUPPORTED");
    expect(await store.countKeys(TASK)).toBe(0);
    expect(backend.calls).toEqual([]);
  });
});

describe("state store: expiry options", () => {
  it("resolves an ISO expiry with an offset to the UTC instant the backend stores", async () => {
    const { store, backend } = storeFixture();
    await store.set(TASK, "k", 1, { expiresAt: "2026-01-02T02:00:00+02:00" });
    expect(backend.raw(TASK, "k")?.expiresAt?.toISOString()).toBe("2026-01-02T00:00:00.000Z");
    await store.set(TASK, "d", 1, { expiresAt: new Date("2026-03-01T00:00:00Z") });
    expect((await store.getEntry(TASK, "d"))?.expiresAt?.toISOString()).toBe("2026-03-01T00:00:00.000Z");
  });

  it("refuses naive text, naming the configured field", async () => {
    const { store, backend } = storeFixture({ expiresAtField: "body.expires_at" });
    const error = await rejection(store.set(TASK, "k", 1, { expiresAt: "2026-01-02T00:00:00" }));
    expect(error.code).toBe("INVALID_VALUE");
    expect(error.details).toEqual({ field: "body.expires_at" });
    expect(backend.calls).toEqual([]);
  });

  it("applies the default retention from the store's clock", async () => {
    const { store, backend } = storeFixture({ defaultRetentionDays: 2 });
    await store.set(TASK, "k", 1, { expiresAt: "default" });
    expect(backend.raw(TASK, "k")?.expiresAt?.toISOString()).toBe("2026-01-03T00:00:00.000Z");
    const never = storeFixture({ defaultRetentionDays: 0 });
    await never.store.set(TASK, "k", 1, { expiresAt: "default" });
    expect(never.backend.raw(TASK, "k")?.expiresAt).toBeNull();
  });

  it("passes default on to a backend that applies it, else is a CONFIG_ERROR", async () => {
    const unknown = storeFixture();
    const error = await rejection(unknown.store.set(TASK, "k", 1, { expiresAt: "default" }));
    expect(error.code).toBe("CONFIG_ERROR");
    expect(unknown.backend.calls).toEqual([]);

    const remote = storeFixture({}, { capabilities: { defaultExpiry: true } });
    remote.backend.set = async (_scope, _key, _value, options) => {
      expect(options).toEqual({ expiresAt: "default" });
    };
    await remote.store.set(TASK, "k", 1, { expiresAt: "default" });
  });

  it("refuses a past expiry on operator paths", async () => {
    const { store, backend } = storeFixture({ requireFutureExpiry: true });
    const error = await rejection(store.set(TASK, "k", 1, { expiresAt: "2026-01-01T00:00:00Z" }));
    expect(error.code).toBe("INVALID_VALUE");
    expect(error.message).toMatch(/not in the future/);
    expect(backend.calls).toEqual([]);
  });

  it("ignores an expiry for asset state, which never expires", async () => {
    const { store, backend } = storeFixture({}, { capabilities: { expiry: false } });
    await store.set(ASSET, "k", 1, { expiresAt: "not even a date", writer: { kind: "api" } });
    expect(backend.callsOf("set")[0]?.options).toEqual({ writer: { kind: "api" } });
    expect((await store.getEntry(ASSET, "k"))?.expiresAt).toBeNull();
  });
});
