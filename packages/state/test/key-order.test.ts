import { describe, expect, it } from "vitest";
import { compareKeys } from "../src/key-order.js";

/** The order of the keys' UTF-8 bytes, as SQLite BINARY, Postgres COLLATE "C" and S3 sort them. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

// ASCII, Latin, below the surrogates, U+E000–U+FFFF (private use, CJK compatibility, specials) and
// characters above U+FFFF (surrogate pairs in UTF-16).
const ALPHABET = [
  "a",
  "Z",
  "/",
  "~",
  "é",
  "\u07ff",
  "\u0800",
  "\ud7ff",
  "\ue000",
  "\uf8ff",
  "\uff5e",
  "\uffff",
  "😀",
  "𐀀",
  "\u{10ffff}",
  "𝄞",
];

/** A small deterministic generator, so a failure always reproduces. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("compareKeys", () => {
  it("orders characters above U+FFFF after U+E000–U+FFFF, as UTF-8 does and `<` does not", () => {
    expect("😀" < "\uffff").toBe(true);
    expect(byteOrder("😀", "\uffff")).toBeGreaterThan(0);
    expect(compareKeys("😀", "\uffff")).toBeGreaterThan(0);
    expect(compareKeys("\ue000", "𐀀")).toBeLessThan(0);
    expect(compareKeys("\ud7ff", "𐀀")).toBeLessThan(0);
  });

  it("is zero only for equal keys and orders a prefix first", () => {
    expect(compareKeys("abc", "abc")).toBe(0);
    expect(compareKeys("ab", "abc")).toBeLessThan(0);
    expect(compareKeys("ab😀", "ab")).toBeGreaterThan(0);
    expect(compareKeys("", "a")).toBeLessThan(0);
  });

  it("agrees with UTF-8 byte order on every pair of the alphabet", () => {
    for (const a of ALPHABET) {
      for (const b of ALPHABET) {
        expect(Math.sign(compareKeys(a, b)), `${a} vs ${b}`).toBe(Math.sign(byteOrder(a, b)));
      }
    }
  });

  it("agrees with UTF-8 byte order on generated keys, and sorts them alike", () => {
    const next = random(103);
    const keys = Array.from({ length: 400 }, () =>
      Array.from(
        { length: 1 + Math.floor(next() * 5) },
        () => ALPHABET[Math.floor(next() * ALPHABET.length)],
      ).join(""),
    );
    for (let i = 0; i + 1 < keys.length; i++) {
      const [a, b] = [keys[i] as string, keys[i + 1] as string];
      expect(Math.sign(compareKeys(a, b)), `${a} vs ${b}`).toBe(Math.sign(byteOrder(a, b)));
    }
    expect([...keys].sort(compareKeys)).toEqual([...keys].sort(byteOrder));
  });
});
