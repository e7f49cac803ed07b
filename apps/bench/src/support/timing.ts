import { percentile } from "../report/stat.js";

/** What {@link runOperations} measured. */
export interface OperationTiming {
  /** Operations completed. */
  readonly count: number;
  /** Wall-clock time from the first start to the last completion, in milliseconds. */
  readonly elapsedMs: number;
  /** Operations per second. */
  readonly opsPerSecond: number;
  /** Median latency of one operation, in milliseconds. */
  readonly p50Ms: number;
  /** 99th percentile latency, in milliseconds. */
  readonly p99Ms: number;
  /** Longest latency, in milliseconds. */
  readonly maxMs: number;
}

/**
 * Runs `count` operations with `concurrency` of them in flight at once (each worker awaits its previous
 * operation before starting the next) and measures throughput and per-operation latency.
 *
 * @param count - operations in all (at least 1).
 * @param concurrency - workers (at least 1).
 * @param operation - receives the operation's sequence number (0-based) and the worker's index.
 * @returns the timing.
 */
export async function runOperations(
  count: number,
  concurrency: number,
  operation: (sequence: number, worker: number) => Promise<unknown>,
): Promise<OperationTiming> {
  const latencies = new Float64Array(count);
  let next = 0;
  const worker = async (index: number) => {
    for (;;) {
      const sequence = next++;
      if (sequence >= count) return;
      const started = performance.now();
      await operation(sequence, index);
      latencies[sequence] = performance.now() - started;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, (_, i) => worker(i)));
  const elapsedMs = performance.now() - started;
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  return {
    count,
    elapsedMs,
    opsPerSecond: (count * 1000) / elapsedMs,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted[sorted.length - 1] as number,
  };
}

/**
 * A small deterministic pseudo-random generator (mulberry32), so every subject of a comparison sees the
 * same key sequence.
 *
 * @param seed - any 32-bit integer.
 * @returns a function returning numbers in [0, 1).
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
