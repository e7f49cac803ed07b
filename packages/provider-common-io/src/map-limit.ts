/**
 * Maps `items` through `fn` with at most `limit` calls in flight, keeping the order of the results.
 *
 * @param items - the inputs.
 * @param limit - the most concurrent calls (>= 1).
 * @param fn - the async mapping.
 * @returns the results, in input order; rejects with the first failure.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
