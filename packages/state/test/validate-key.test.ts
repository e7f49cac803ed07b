import { describe, expect, it } from "vitest";
import { isStateStoreError } from "../src/state-store-error.js";
import { validateKey } from "../src/validate-key.js";

describe("validateKey", () => {
  it.each(["a", "checkpoint/page/3", "100% off", "München", "🚀".repeat(512), "k".repeat(512), "a\u0080b"])(
    "accepts %s",
    (key) => {
      expect(validateKey(key)).toBe(key);
    },
  );

  it.each([
    ["", "empty"],
    ["k".repeat(513), "513 characters"],
    ["🚀".repeat(513), "513 characters"],
    ["a\nb", "U+000A at index 1"],
    ["\u0000", "U+0000"],
    ["x\u001f", "U+001F"],
    ["del\u007f", "U+007F"],
  ])("rejects %j (%s)", (key, words) => {
    try {
      validateKey(key);
      expect.unreachable();
    } catch (e) {
      expect(isStateStoreError(e, "INVALID_KEY")).toBe(true);
      expect((e as Error).message).toContain(words);
    }
  });

  it("rejects a key that is not a string", () => {
    expect(() => validateKey(42)).toThrow(/must be a string, got number/);
  });
});
