import type { JsonValue } from "@tidemark/state";

/** The JSON shapes every backend must round-trip byte for byte. */
export const CONFORMANCE_VALUES: Readonly<Record<string, JsonValue>> = Object.freeze({
  "plain string": "hello",
  "string with quotes, backslashes and newlines": 'she said "hi"\\n\n\t',
  "string with Unicode": "Zürich → 東京 🚀",
  "empty string": "",
  "positive integer": 42,
  "negative integer": -7,
  zero: 0,
  "large safe integer": 9007199254740991,
  float: 2.5,
  "tiny float": 1.5e-10,
  "boolean true": true,
  "boolean false": false,
  array: [1, "two", false, null, 3.5],
  "nested object": { job: { id: "app_1", attempts: [1, 2], meta: { ok: true, note: null } } },
  "empty object": {},
  "empty array": [],
});

/** Keys that object stores and SQL `LIKE` get wrong when they escape or match carelessly. */
export const CONFORMANCE_KEYS: readonly string[] = Object.freeze([
  "checkpoint/page/3",
  "100%",
  "a_b%c",
  "key with spaces",
  "question?hash#amp&",
  "München/東京/🚀",
  "k".repeat(512),
  "é".repeat(512),
]);

/**
 * Keys whose code point order differs from JavaScript's `<` (UTF-16 code units): characters above U+FFFF
 * (surrogate pairs) sort after U+E000–U+FFFF by code point, before them by code unit.
 */
export const NON_ASCII_KEYS: readonly string[] = Object.freeze([
  "z",
  "a",
  "é",
  "ß",
  "東京",
  "\u{E000}private",
  "\u{FFFD}",
  "🚀",
  "𝄞clef",
  "Z",
  "~",
]);
