/** One Execution API request attempt, as {@link WorkerMetricsHook.request} reports it. */
export interface ExecutionApiRequestMetric {
  /** The HTTP method. */
  readonly method: "GET" | "PUT" | "PATCH" | "DELETE";
  /**
   * The route template under the base URL, for example `/store/ti/{ti_id}/{key}` or
   * `/store/asset/by-name/value`: no ids, keys or query, so it can label a metric.
   */
  readonly route: string;
  /** What the call does, snake_case: `get_task_state`, `set_asset_state`, `get_task_instance`, … */
  readonly operation: string;
  /** The HTTP status answered; null when no answer came (connection error, timeout). */
  readonly status: number | null;
  /** Milliseconds from sending to the answer's body read (or the failure). */
  readonly durationMs: number;
  /** 1 for the first attempt, 2 for the first retry, … */
  readonly attempt: number;
}

/** Why the client retries, as {@link ExecutionApiRetryMetric.reason} names it. */
export type ExecutionApiRetryReason = "connection_error" | "timeout" | "server_error";

/** One retry the client is about to make, as {@link WorkerMetricsHook.retry} reports it. */
export interface ExecutionApiRetryMetric {
  /** The HTTP method. */
  readonly method: "GET" | "PUT" | "PATCH" | "DELETE";
  /** The route template (see {@link ExecutionApiRequestMetric.route}). */
  readonly route: string;
  /** What the call does (see {@link ExecutionApiRequestMetric.operation}). */
  readonly operation: string;
  /** Why: no connection, no answer in time, or a 5xx answer. */
  readonly reason: ExecutionApiRetryReason;
  /** The 5xx status that caused it; null for connection errors and timeouts. */
  readonly status: number | null;
  /** The attempt that failed (1 for the first). */
  readonly attempt: number;
  /** Milliseconds the client waits before the next attempt: the backoff, or the server's `Retry-After`. */
  readonly delayMs: number;
  /** Whether the delay comes from the answer's `Retry-After`. */
  readonly retryAfter: boolean;
}

/** A value the worker wrote, as {@link WorkerMetricsHook.valueWritten} reports it. */
export interface WorkerValueWrittenMetric {
  /** Task state or asset state. */
  readonly scope: "task" | "asset";
  /** The value's size: UTF-8 bytes of its JSON text, before any offload. */
  readonly bytes: number;
  /**
   * Whether the worker backend offloaded it: its bytes went to object storage and only the reference
   * envelope to the Execution API.
   */
  readonly offloaded: boolean;
}

/**
 * Callbacks a worker gives the task SDK to count what it does, without the SDK depending on a metrics
 * library: bind them to prom-client, StatsD or anything else. Pass it as `metrics` to
 * `ExecutionApiClient`; every accessor built on that client (`runTask`'s included) reports through it.
 * Every callback is optional, is called synchronously, and must not throw (an exception is ignored).
 */
export interface WorkerMetricsHook {
  /** After each Execution API request attempt, retried ones included. */
  request?(metric: ExecutionApiRequestMetric): void;
  /** Before each retry, with its reason and delay. */
  retry?(metric: ExecutionApiRetryMetric): void;
  /** After each value written through an accessor, with its size and whether it was offloaded. */
  valueWritten?(metric: WorkerValueWrittenMetric): void;
}

/**
 * Calls one callback of a hook, ignoring what it throws: metrics must never fail a task.
 *
 * @param hook - the hook, or undefined.
 * @param name - the callback.
 * @param metric - what to report.
 */
export function reportMetric<K extends keyof WorkerMetricsHook>(
  hook: WorkerMetricsHook | undefined,
  name: K,
  metric: Parameters<NonNullable<WorkerMetricsHook[K]>>[0],
): void {
  const callback = hook?.[name] as ((m: typeof metric) => void) | undefined;
  if (callback === undefined) return;
  try {
    callback.call(hook, metric);
  } catch {
    // A broken metrics binding must not fail the task.
  }
}
