import { StateStoreError } from "./state-store-error.js";

/** Longest key, in characters (Unicode code points), as the `key varchar(512)` column holds. */
export const MAX_KEY_LENGTH = 512;

/** Index of the first control character (U+0000–U+001F, U+007F) in `text`, or -1. */
function firstControlCharacter(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x1f || c === 0x7f) return i;
  }
  return -1;
}

/**
 * Checks a state store key: a string of 1 to {@link MAX_KEY_LENGTH} characters without control
 * characters (U+0000–U+001F, U+007F). "/" and any other Unicode character are allowed, so keys such as
 * `checkpoint/page` or `München` work on every backend and on the wire (clients percent-encode them).
 *
 * @param key - the key to check.
 * @returns the key, unchanged, for chaining.
 * @throws StateStoreError `INVALID_KEY` naming what is wrong and the rule.
 */
export function validateKey(key: unknown): string {
  if (typeof key !== "string") {
    throw new StateStoreError(
      "INVALID_KEY",
      `state key must be a string, got ${key === null ? "null" : typeof key}`,
    );
  }
  if (key.length === 0) {
    throw new StateStoreError("INVALID_KEY", "state key is empty; use a key of 1 to 512 characters");
  }
  if (key.length > MAX_KEY_LENGTH) {
    const length = [...key].length;
    if (length > MAX_KEY_LENGTH) {
      throw new StateStoreError(
        "INVALID_KEY",
        `state key is ${length} characters long, over the limit of ${MAX_KEY_LENGTH}; use a shorter key (hash long identifiers)`,
        { details: { length, limit: MAX_KEY_LENGTH } },
      );
    }
  }
  const index = firstControlCharacter(key);
  if (index >= 0) {
    const code = key.charCodeAt(index).toString(16).toUpperCase().padStart(4, "0");
    throw new StateStoreError(
      "INVALID_KEY",
      `state key ${JSON.stringify(key)} contains control character U+${code} at index ${index}; keys may not contain control characters (U+0000–U+001F, U+007F)`,
      { details: { index } },
    );
  }
  return key;
}
