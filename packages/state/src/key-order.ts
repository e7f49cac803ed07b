/**
 * The one order of keys on every backend: by Unicode code point, which is the order of the keys' UTF-8
 * bytes (SQLite's BINARY collation, Postgres `COLLATE "C"`, S3 listings). JavaScript's `<` compares UTF-16
 * code units, which differs for characters above U+FFFF, so backends sorting in memory use this.
 *
 * @param a - a key.
 * @param b - another key.
 * @returns negative, zero or positive, as `Array.prototype.sort` expects.
 */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (U+D800–U+DFFF) encodes a code point above U+FFFF, so it sorts after U+E000–U+FFFF.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
