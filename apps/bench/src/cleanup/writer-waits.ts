import { percentile } from "../report/stat.js";

/** What a measurement window of a concurrent writer recorded. */
export interface WriterReport {
  /** Calls that overlapped the window. */
  readonly count: number;
  /** The longest wait within the window, in milliseconds (0 when no call overlapped it). */
  readonly maxMs: number;
  /** The 99th percentile wait, in milliseconds. */
  readonly p99Ms: number;
}

/**
 * Milliseconds since the epoch with sub-millisecond precision (`performance.timeOrigin + performance.now()`),
 * comparable across the threads of one process.
 */
export function wallClock(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * The waits of the calls that overlapped a window [from, to]: for each call, from `max(start, from)` to its
 * end (a call blocked when the window opened counts only its time inside the window; a call still blocked
 * when it closed counts until it completed).
 *
 * @param calls - `[start, end]` of completed calls, in {@link wallClock} milliseconds.
 * @param from - the window's start.
 * @param to - the window's end.
 * @returns count, longest wait and p99.
 */
export function windowReport(
  calls: readonly (readonly [number, number])[],
  from: number,
  to: number,
): WriterReport {
  const waits = calls
    .filter(([start, end]) => end >= from && start <= to)
    .map(([start, end]) => end - Math.max(start, from))
    .sort((a, b) => a - b);
  return {
    count: waits.length,
    maxMs: waits.length === 0 ? 0 : (waits[waits.length - 1] as number),
    p99Ms: waits.length === 0 ? 0 : percentile(waits, 0.99),
  };
}
