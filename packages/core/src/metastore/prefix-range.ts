const MAX_CODE_POINT = 0x10ffff;

/**
 * The key range that holds exactly the keys starting with `prefix`, in code point order (the order of
 * SQLite's BINARY collation and Postgres' `COLLATE "C"` over UTF-8): `lower <= key < upper`. Matching a
 * prefix this way treats every character literally (`%`, `_` and `\` are not wildcards, unlike LIKE) and
 * uses the key index on both dialects.
 *
 * `upper` is the prefix with its last code point incremented (skipping the surrogate block; a trailing
 * U+10FFFF is dropped and the one before it incremented); it is null when the prefix is made only of
 * U+10FFFF, in which case every key `>= lower` starts with the prefix.
 *
 * @param prefix - a non-empty prefix.
 * @returns the bounds.
 */
export function prefixRange(prefix: string): { lower: string; upper: string | null } {
  const codePoints = Array.from(prefix, (c) => c.codePointAt(0) as number);
  while (codePoints.length > 0) {
    const last = codePoints.pop() as number;
    if (last < MAX_CODE_POINT) {
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return { lower: prefix, upper: String.fromCodePoint(...codePoints, next) };
    }
  }
  return { lower: prefix, upper: null };
}
