import { describe, expect, it } from "vitest";
import { decodeValue, encodeValue, utf8ByteLength } from "../src/encode-value.js";
import { isStateStoreError } from "../src/state-store-error.js";

function errorOf(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
}

describe("encodeValue", () => {
  it("encodes every JSON shape and decodes it back", () => {
    for (const v of [
      "s",
      "ü🚀",
      0,
      -1.5,
      1e21,
      true,
      false,
      [],
      {},
      [null, 1],
      { a: { b: [1, { c: null }] } },
    ]) {
      const text = encodeValue(v);
      expect(text).toBe(JSON.stringify(v));
      expect(decodeValue(text)).toEqual(v);
    }
  });

  it.each([
    [null, "$", "null"],
    [undefined, "$", "undefined"],
  ])("rejects a top-level %s", (value, path, word) => {
    const err = errorOf(() => encodeValue(value));
    expect(isStateStoreError(err, "INVALID_VALUE")).toBe(true);
    expect((err as Error).message).toContain(word);
    expect((err as { details: { path: string } }).details.path).toBe(path);
  });

  it.each([
    [{ rows: [{}, {}, {}, { delay: Number.NaN }] }, "$.rows[3].delay is NaN"],
    [{ a: Number.POSITIVE_INFINITY }, "$.a is Infinity"],
    [[Number.NEGATIVE_INFINITY], "$[0] is -Infinity"],
    [{ n: 10n }, "$.n is a BigInt"],
    [{ f: () => 1 }, "$.f is a function"],
    [{ s: Symbol("x") }, "$.s is a symbol"],
    [{ when: new Date(0) }, "$.when is a Date: convert it with date.toISOString()"],
    [{ m: new Map() }, "$.m is a Map: convert it with Object.fromEntries(map)"],
    [{ s: new Set() }, "$.s is a Set"],
    [{ "odd key": new (class Point {})() }, '$["odd key"] is an instance of class Point'],
    [[1, undefined], "$[1] is undefined"],
  ])("rejects %o naming the JSON path", (value, message) => {
    const err = errorOf(() => encodeValue(value));
    expect(isStateStoreError(err, "INVALID_VALUE")).toBe(true);
    expect((err as Error).message).toContain(message);
  });

  it("rejects circular structures but accepts shared references", () => {
    const a: Record<string, unknown> = { x: 1 };
    a.self = { back: a };
    expect((errorOf(() => encodeValue(a)) as Error).message).toContain("$.self.back is a circular reference");
    const shared = { v: 1 };
    expect(encodeValue({ p: shared, q: shared })).toBe('{"p":{"v":1},"q":{"v":1}}');
  });

  it("omits object members that are undefined, as JSON does", () => {
    expect(encodeValue({ a: 1, b: undefined })).toBe('{"a":1}');
  });

  it("enforces maxBytes in UTF-8 bytes, with the limit, the size and the remedy in the message", () => {
    const value = "é".repeat(10); // 20 bytes + 2 quotes = 22 bytes
    expect(encodeValue(value, { maxBytes: 22 })).toBe(`"${value}"`);
    const err = errorOf(() => encodeValue(value, { maxBytes: 21 }));
    expect(isStateStoreError(err, "VALUE_TOO_LARGE")).toBe(true);
    const message = (err as Error).message;
    expect(message).toContain("22 bytes");
    expect(message).toContain("21 bytes");
    expect(message).toContain("state_store.max_value_storage_bytes");
    expect(message).toContain("workers.state_store_backend");
  });

  it("disables the limit with maxBytes 0 and applies 65535 by default", () => {
    const big = "x".repeat(70_000);
    expect(encodeValue(big, { maxBytes: 0 })).toHaveLength(70_002);
    expect(
      isStateStoreError(
        errorOf(() => encodeValue(big)),
        "VALUE_TOO_LARGE",
      ),
    ).toBe(true);
  });
});

describe("decodeValue", () => {
  it("raises INVALID_VALUE for text that is not JSON", () => {
    const err = errorOf(() => decodeValue("{nope"));
    expect(isStateStoreError(err, "INVALID_VALUE")).toBe(true);
    expect((err as Error).cause).toBeInstanceOf(SyntaxError);
  });
});

describe("utf8ByteLength", () => {
  it("matches TextEncoder for ASCII, 2-, 3- and 4-byte characters and lone surrogates", () => {
    for (const s of ["", "abc", "é", "€", "🚀", "a\ud800b", "\udc00", "Zürich → 東京 🚀"]) {
      expect(utf8ByteLength(s)).toBe(new TextEncoder().encode(s).length);
    }
  });
});
