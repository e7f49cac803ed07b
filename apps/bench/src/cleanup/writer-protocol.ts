/** What the cleanup writer thread is given. */
export interface WriterWorkerData {
  /** The metastore's `database.url` (the same file or schema the sweep works on). */
  readonly url: string;
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  /** JSON text written by every set. */
  readonly value: string;
}

/**
 * Messages from the main thread. Times are `performance.timeOrigin + performance.now()` (milliseconds since
 * the epoch, sub-millisecond precision), comparable across the threads of one process.
 * - `measure`: a measurement window starts at `from`;
 * - `report`: the window ends at `to`; the writer reports (after its call in flight completes) every call
 *   that overlapped the window, counting only the part of each call after `from`;
 * - `stop`: stop writing and exit.
 */
export type WriterCommand =
  | { readonly type: "measure"; readonly from: number }
  | { readonly type: "report"; readonly to: number }
  | { readonly type: "stop" };

/** Messages from the writer thread. */
export type WriterMessage =
  | { readonly type: "ready" }
  | {
      readonly type: "report";
      /** Sets that overlapped the window. */
      readonly count: number;
      /** Longest wait of those sets within the window, in milliseconds. */
      readonly maxMs: number;
      /** Their 99th percentile, in milliseconds. */
      readonly p99Ms: number;
    }
  | { readonly type: "error"; readonly message: string };
