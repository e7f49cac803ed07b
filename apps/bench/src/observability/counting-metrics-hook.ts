import type {
  ExecutionApiRequestMetric,
  ExecutionApiRetryMetric,
  WorkerMetricsHook,
  WorkerValueWrittenMetric,
} from "@tidemark/task-sdk";

/**
 * A task SDK metrics hook as a worker binds it, with in-memory counters standing in for a metrics
 * library: requests by operation and status with their summed duration, retries, written values and bytes.
 */
export class CountingMetricsHook implements WorkerMetricsHook {
  readonly #requests = new Map<string, { count: number; durationMs: number }>();
  #retries = 0;
  #values = 0;
  #bytes = 0;

  request(metric: ExecutionApiRequestMetric): void {
    const key = `${metric.operation} ${metric.status ?? "no answer"}`;
    const entry = this.#requests.get(key);
    if (entry === undefined) this.#requests.set(key, { count: 1, durationMs: metric.durationMs });
    else {
      entry.count++;
      entry.durationMs += metric.durationMs;
    }
  }

  retry(_metric: ExecutionApiRetryMetric): void {
    this.#retries++;
  }

  valueWritten(metric: WorkerValueWrittenMetric): void {
    this.#values++;
    this.#bytes += metric.bytes;
  }

  /** Requests counted so far, in all. */
  get requests(): number {
    let total = 0;
    for (const entry of this.#requests.values()) total += entry.count;
    return total;
  }

  /** Values reported written so far. */
  get values(): number {
    return this.#values;
  }

  /** Bytes of the values reported written so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Retries reported so far. */
  get retries(): number {
    return this.#retries;
  }
}
