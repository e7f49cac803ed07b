import type { Stat } from "./result-types.js";

/**
 * The value below which a fraction `p` of sorted values lie (nearest-rank method).
 *
 * @param sorted - values in ascending order (not empty).
 * @param p - the fraction, 0 to 1 (0.5 = median, 0.99 = p99).
 * @returns the value.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError("percentile of no values");
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1] as number;
}

/**
 * The median of values (the mean of the two middle ones for an even count).
 *
 * @param values - at least one value.
 * @returns the median.
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Summarizes the runs of one figure.
 *
 * @param samples - one value per run (at least one).
 * @param unit - what the values count.
 * @returns median, min, max and the samples.
 */
export function toStat(samples: readonly number[], unit: string): Stat {
  return {
    median: median(samples),
    min: Math.min(...samples),
    max: Math.max(...samples),
    unit,
    samples: [...samples],
  };
}
