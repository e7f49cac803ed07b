/**
 * A count with its noun: "1 key", "3 keys", "2 map indices".
 *
 * @param n - the count.
 * @param singular - the noun for one.
 * @param plural - the noun for other counts (singular + "s" by default).
 * @returns the text.
 */
export function countText(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
