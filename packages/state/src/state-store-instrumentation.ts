/** The operations of a `StateStore`, as instrumentation sees them (snake_case, as metric labels). */
export type StateStoreOperation =
  | "get"
  | "set"
  | "put"
  | "replace"
  | "delete"
  | "clear"
  | "clear_worker_backend"
  | "list"
  | "count_keys"
  | "cleanup";

/** What one state store operation is about; every field has few values, so it can label a metric. */
export interface StateStoreOperationInfo {
  /** The operation. `get` covers `get`, `getEntry` and `require`. */
  readonly operation: StateStoreOperation;
  /** Task state or asset state; null for `cleanup`, which spans both. */
  readonly scope: "task" | "asset" | null;
  /** The backend's name (`BaseStoreBackend.name`, a class name by default). */
  readonly backend: string;
  /** Whether the write or delete carries a compare-and-set condition. */
  readonly conditional: boolean;
}

/** A value a state store wrote, as {@link StateStoreInstrumentation.valueWritten} reports it. */
export interface StateStoreValueWritten {
  /** Task state or asset state. */
  readonly scope: "task" | "asset";
  /**
   * The value's size: UTF-8 bytes of its JSON text, before any offload. On the server side an offloaded
   * value arrives as its reference envelope, so there it is the envelope's size.
   */
  readonly bytes: number;
  /**
   * Whether the worker backend offloaded it (the database holds only the reference envelope). On the
   * server side: whether the written value is a reference envelope a worker sent.
   */
  readonly offloaded: boolean;
}

/**
 * Hooks a state store calls around its work, for metrics and traces; pass one as
 * `StateStoreSettings.instrumentation`. The state store core itself depends on nothing, so the hooks
 * carry no metric or tracing types: the server binds them to prom-client and OpenTelemetry, and task
 * code to whatever it reports to.
 *
 * Nested work is reported once: `put` is one `put`, not also a `set`.
 */
export interface StateStoreInstrumentation {
  /**
   * Wraps one operation. It must call `run` exactly once and return (or throw) what `run` does; an
   * operation that reads a missing key resolves to null.
   *
   * @param info - the operation, scope kind, backend and whether it is conditional.
   * @param run - the operation itself.
   */
  operation<T>(info: StateStoreOperationInfo, run: () => Promise<T>): Promise<T>;
  /** Called after a value is written, with its size and whether it was offloaded. Optional. */
  valueWritten?(value: StateStoreValueWritten): void;
}
