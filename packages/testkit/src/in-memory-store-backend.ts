import {
  type AssetStateStoreWriter,
  assetIdentity,
  BaseStoreBackend,
  type CleanupOptions,
  type CleanupReport,
  type ClearOptions,
  compareAndSetConflict,
  compareKeys,
  type DeleteOptions,
  type ListOptions,
  type ListResult,
  NO_REGION_ID,
  type SetOptions,
  type StoreBackendCapabilities,
  type StoreEntry,
  type StoreScope,
} from "@tidemark/state";

interface Row {
  value: string;
  version: number;
  updatedAt: Date;
  expiresAt: Date | null;
  lastUpdatedBy: AssetStateStoreWriter | null;
}

/** Options of {@link InMemoryStoreBackend}. */
export interface InMemoryStoreBackendOptions {
  /** The clock, for tests of expiry. Default `() => new Date()`. */
  now?: () => Date;
}

function namespaceOf(scope: StoreScope): string {
  if (scope.kind === "task")
    return JSON.stringify([
      "task",
      scope.dagId,
      scope.runId,
      scope.taskId,
      scope.regionId ?? NO_REGION_ID,
      scope.mapIndex,
    ]);
  const { by, value } = assetIdentity(scope);
  return JSON.stringify(["asset", by, value]);
}

function taskPrefix(scope: StoreScope): string | undefined {
  if (scope.kind !== "task") return undefined;
  // Every map index of the task in the scope's region: regions stay apart, as in the metastore's key.
  const full = JSON.stringify([
    "task",
    scope.dagId,
    scope.runId,
    scope.taskId,
    scope.regionId ?? NO_REGION_ID,
    0,
  ]);
  return full.slice(0, full.lastIndexOf(",") + 1);
}

/**
 * A reference implementation of {@link BaseStoreBackend} that keeps state in process memory. It passes
 * the whole conformance suite, with every capability, and is the first thing a provider author should
 * read: each method is the contract with nothing else in the way. Handy for unit tests of task code.
 *
 * Asset scopes are keyed by `assetIdentity` (the id, else the name, else the URI). Listings are in
 * `compareKeys` order and page by offset or by cursor (the last key of the page). Nothing survives the
 * process; `close()` drops everything.
 */
export class InMemoryStoreBackend extends BaseStoreBackend {
  override readonly capabilities: StoreBackendCapabilities = Object.freeze({
    expiry: true,
    compareAndSet: true,
    listKeys: true,
    writerTracking: true,
    readiness: true,
  });

  readonly #data = new Map<string, Map<string, Row>>();
  readonly #now: () => Date;

  /** @param options - `now`: the clock (default: the system clock). */
  constructor(options: InMemoryStoreBackendOptions = {}) {
    super();
    this.#now = options.now ?? (() => new Date());
  }

  #live(scope: StoreScope, key: string): Row | undefined {
    const row = this.#data.get(namespaceOf(scope))?.get(key);
    if (row === undefined) return undefined;
    if (scope.kind === "task" && row.expiresAt !== null && row.expiresAt.getTime() <= this.#now().getTime()) {
      return undefined;
    }
    return row;
  }

  /** {@inheritDoc @tidemark/state!BaseStoreBackend.get} */
  override async get(scope: StoreScope, key: string): Promise<string | null> {
    return this.#live(scope, key)?.value ?? null;
  }

  /** {@inheritDoc @tidemark/state!BaseStoreBackend.getEntry} */
  override async getEntry(scope: StoreScope, key: string): Promise<StoreEntry | null> {
    const row = this.#live(scope, key);
    return row === undefined ? null : { key, ...row };
  }

  /** {@inheritDoc @tidemark/state!BaseStoreBackend.set} */
  override async set(scope: StoreScope, key: string, value: string, options: SetOptions = {}): Promise<void> {
    const current = this.#live(scope, key);
    // The core rewords a failed condition for its caller, so a plain CONFLICT is all it needs.
    if (options.ifAbsent && current !== undefined) throw compareAndSetConflict(key);
    if (options.ifVersion !== undefined && current?.version !== options.ifVersion) {
      throw compareAndSetConflict(key);
    }
    const ns = namespaceOf(scope);
    let rows = this.#data.get(ns);
    if (rows === undefined) {
      rows = new Map();
      this.#data.set(ns, rows);
    }
    rows.set(key, {
      value,
      version: (current?.version ?? 0) + 1,
      updatedAt: this.#now(),
      expiresAt: scope.kind === "task" && options.expiresAt instanceof Date ? options.expiresAt : null,
      lastUpdatedBy: scope.kind === "asset" ? (options.writer ?? null) : null,
    });
  }

  /** {@inheritDoc @tidemark/state!BaseStoreBackend.delete} */
  override async delete(scope: StoreScope, key: string, options: DeleteOptions = {}): Promise<void> {
    if (options.ifVersion !== undefined && this.#live(scope, key)?.version !== options.ifVersion) {
      throw compareAndSetConflict(key);
    }
    this.#data.get(namespaceOf(scope))?.delete(key);
  }

  /** {@inheritDoc @tidemark/state!BaseStoreBackend.clear} */
  override async clear(scope: StoreScope, options: ClearOptions = {}): Promise<void> {
    const prefix = options.allMapIndices ? taskPrefix(scope) : undefined;
    if (prefix === undefined) {
      this.#data.delete(namespaceOf(scope));
      return;
    }
    for (const ns of [...this.#data.keys()]) if (ns.startsWith(prefix)) this.#data.delete(ns);
  }

  /** {@inheritDoc @tidemark/state!BaseStoreBackend.list} */
  override async list(scope: StoreScope, options: ListOptions = {}): Promise<ListResult> {
    const rows = this.#data.get(namespaceOf(scope));
    const prefix = options.prefix ?? "";
    const keys = [...(rows?.keys() ?? [])]
      .filter((k) => k.startsWith(prefix) && this.#live(scope, k) !== undefined)
      .sort(compareKeys);
    const limit = options.limit ?? 100;
    // A cursor is the last key of the previous page, so a key written or deleted meanwhile shifts nothing.
    const cursor = options.cursor;
    const start =
      cursor === undefined ? (options.offset ?? 0) : keys.findIndex((k) => compareKeys(k, cursor) > 0);
    const from = start < 0 ? keys.length : start;
    const page = keys.slice(from, from + limit);
    const entries = page.map((k) => ({ key: k, ...(rows?.get(k) as Row) }));
    const more = from + page.length < keys.length && page.length > 0;
    return { entries, total: keys.length, nextCursor: more ? (page[page.length - 1] as string) : null };
  }

  /**
   * As {@link BaseStoreBackend.cleanup}.
   *
   * Deletes expired task state, and the asset state of `options.inactiveAssets`.
   */
  override async cleanup(options: CleanupOptions = {}): Promise<CleanupReport> {
    const started = Date.now();
    const now = this.#now().getTime();
    let expired = 0;
    for (const rows of this.#data.values()) {
      for (const [key, row] of rows) {
        if (row.expiresAt !== null && row.expiresAt.getTime() <= now) {
          expired++;
          if (!options.dryRun) rows.delete(key);
        }
      }
    }
    options.onProgress?.({ phase: "task_state_store", done: expired, total: expired });
    let orphaned = 0;
    for (const asset of options.inactiveAssets ?? []) {
      const ns = namespaceOf(asset);
      orphaned += this.#data.get(ns)?.size ?? 0;
      if (!options.dryRun) this.#data.delete(ns);
    }
    options.onProgress?.({ phase: "asset_state_store", done: orphaned, total: orphaned });
    return {
      dryRun: options.dryRun ?? false,
      deleted: { task_state_store: expired, asset_state_store: orphaned },
      durationMs: Date.now() - started,
    };
  }

  /** Always answers: process memory is always reachable. */
  override async ping(): Promise<void> {}

  /** Drops all state. */
  override async close(): Promise<void> {
    this.#data.clear();
  }
}

/**
 * Factory of {@link InMemoryStoreBackend}, the provider convention's `createX(options)`.
 *
 * @param options - `now`: the clock.
 * @returns a new, empty backend.
 */
export function createInMemoryStoreBackend(options: InMemoryStoreBackendOptions = {}): InMemoryStoreBackend {
  return new InMemoryStoreBackend(options);
}
