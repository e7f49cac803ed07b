import { notSupported } from "./errors/backend-errors.js";
import type { AssetScope, StoreScope } from "./scope.js";
import type { StateStoreError } from "./state-store-error.js";
import type { AssetStateStoreWriter } from "./writer-kind.js";

/**
 * What a backend can do beyond get/set/delete/clear. Callers (the servers, the task SDK, the
 * conformance suite) consult it instead of catching failures.
 */
export interface StoreBackendCapabilities {
  /** Honours `expiresAt`: expired keys read as null before any cleanup, and `cleanup()` removes them. */
  readonly expiry: boolean;
  /** Honours `ifVersion` / `ifAbsent` atomically and reports versions in `getEntry`. */
  readonly compareAndSet: boolean;
  /** Implements `list()`. */
  readonly listKeys: boolean;
  /** Records the asset state writer (`SetOptions.writer`) and returns it in entries. Default false. */
  readonly writerTracking?: boolean;
  /**
   * Accepts `expiresAt: "default"` and applies the default retention itself (a remote backend whose
   * server knows `state_store.default_retention_days`). Default false: the core resolves "default".
   */
  readonly defaultExpiry?: boolean;
  /**
   * Implements {@link BaseStoreBackend.ping} with a real round trip to its store, so a readiness probe can
   * tell whether the store answers. Default false: `ping()` resolves without checking anything.
   */
  readonly readiness?: boolean;
}

/** Options of {@link BaseStoreBackend.set}. */
export interface SetOptions {
  /**
   * Absolute UTC instant after which the key is expired: it reads as missing and garbage collection may
   * delete it. null or absent: never expires (the reference: stored as NULL, skipped by garbage collection).
   * Asset state has no expiry; backends ignore it for an AssetScope. `"default"` reaches only backends
   * declaring `capabilities.defaultExpiry`.
   */
  expiresAt?: Date | null | "default";
  /** Compare-and-set: write only if the stored version equals this; else `CONFLICT`. */
  ifVersion?: number;
  /** Compare-and-set: write only if no live (unexpired) value exists; else `CONFLICT`. */
  ifAbsent?: boolean;
  /** For an AssetScope: who writes (recorded by backends with `capabilities.writerTracking`). */
  writer?: AssetStateStoreWriter;
}

/** Options of {@link BaseStoreBackend.delete}. */
export interface DeleteOptions {
  /**
   * Compare-and-delete: delete only if a live value at this version exists; else `CONFLICT` and nothing
   * is deleted. Only on backends with `capabilities.compareAndSet` (others raise `NOT_SUPPORTED`). The
   * Execution API uses it for a DELETE with `If-Match`.
   */
  ifVersion?: number;
}

/** Options of {@link BaseStoreBackend.clear}. */
export interface ClearOptions {
  /**
   * For a TaskScope: clear every map index of the task in that dag run, not just the scope's. For external
   * callers (UI, CLI) only, not from within a running task. No effect for an AssetScope.
   */
  allMapIndices?: boolean;
}

/** Options of {@link BaseStoreBackend.list}. */
export interface ListOptions {
  /** Only keys starting with this text, matched literally (`%` and `_` are not wildcards). */
  prefix?: string;
  /** Most entries to return (default 100). */
  limit?: number;
  /** Entries to skip, in key order (default 0). Ignored when `cursor` is given. */
  offset?: number;
  /**
   * Continue after the page that returned this `nextCursor` (opaque to callers). Backends that page by
   * key use the last key; object stores may use their listing's continuation token.
   */
  cursor?: string;
}

/** One stored key with its metadata. */
export interface StoreEntry {
  /** The key. */
  readonly key: string;
  /** The stored JSON text (for an offloaded value: the reference envelope). */
  readonly value: string;
  /** Incremented by every write, starting at 1; null where the backend keeps no versions. */
  readonly version: number | null;
  /** When the key was last written (UTC); null where unknown. */
  readonly updatedAt: Date | null;
  /** When the key expires (UTC); null for never. */
  readonly expiresAt: Date | null;
  /** For asset state on backends with `writerTracking`: the last writer, or null. */
  readonly lastUpdatedBy?: AssetStateStoreWriter | null;
}

/**
 * A page of {@link StoreEntry} in key order ({@link compareKeys}: code point order, the same on every
 * backend).
 */
export interface ListResult {
  /** The entries of this page, at most `limit`. */
  readonly entries: StoreEntry[];
  /**
   * The number of live keys matching in all, when the backend can count them cheaply; omitted by
   * backends (object stores) that would have to read everything to count.
   */
  readonly total?: number;
  /** The cursor of the next page, or null/absent when this page is the last. */
  readonly nextCursor?: string | null;
}

/** Progress of a running cleanup, for progress bars. */
export interface CleanupProgress {
  /** What is being swept, for example `task_state_store`. */
  readonly phase: string;
  /** Rows or objects deleted (or found, in a dry run) so far in this phase. */
  readonly done: number;
  /** Total to delete in this phase, when known. */
  readonly total: number | null;
}

/** Options of {@link BaseStoreBackend.cleanup}. */
export interface CleanupOptions {
  /** Report what would be deleted without deleting. */
  dryRun?: boolean;
  /** Called after each batch. */
  onProgress?: (progress: CleanupProgress) => void;
  /**
   * Assets that are no longer active (the metastore knows them; a backend need not): their state is
   * orphaned and goes in this cleanup. The state store core fills this in, so every backend sweeps.
   */
  inactiveAssets?: readonly AssetScope[];
}

/** What a cleanup deleted (or would delete, in a dry run). */
export interface CleanupReport {
  /** True when nothing was deleted and `deleted` counts what would have been. */
  readonly dryRun: boolean;
  /** Count per table or category, for example `{task_state_store: 12, asset_state_store: 3}`. */
  readonly deleted: Readonly<Record<string, number>>;
  /** Wall-clock duration in milliseconds. */
  readonly durationMs: number;
}

/** The loaded configuration, by section and option, snake_case as in `tidemark.toml`. */
export type ConfigSections = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/**
 * The extension point of the state store: where task state and asset state are kept.
 *
 * Reference: `BaseStoreBackend` of AIP-103 (`airflow.sdk._shared.state`). Python's sync/async pairs
 * collapse into one Promise-returning API. Values cross this interface as JSON text: `set` stores it
 * verbatim and `get` returns it unchanged.
 *
 * This is the server-side storage contract (`state_store.backend`): it only stores. The state store core
 * (`createStateStore`) validates keys and values, applies the size limit, gates options on
 * {@link capabilities}, filters expired entries and words every error before a backend is called, so a
 * backend receives validated input. The worker side (offloading values to object storage) is its own
 * contract, `WorkerStoreBackend`; one class may implement both.
 *
 * Optional hooks have defaults here, so adding a hook later breaks no provider. A provider exports a
 * definition made with `defineStoreBackend` (the shape the loader expects) and declares
 * {@link capabilities} honestly; `storeBackendSuite` in `@tidemark/testkit` checks the contract.
 */
export abstract class BaseStoreBackend {
  /** What this backend can do beyond the four core operations. */
  abstract readonly capabilities: StoreBackendCapabilities;

  /** A name for messages and logs; the class name by default. */
  get name(): string {
    return this.constructor.name;
  }

  /**
   * Reads a key.
   *
   * @param scope - the task or asset scope.
   * @param key - a valid key.
   * @returns the stored JSON text, or null when the key is missing or expired.
   * @throws StateStoreError `BACKEND_UNAVAILABLE` when the store cannot be reached.
   */
  abstract get(scope: StoreScope, key: string): Promise<string | null>;

  /**
   * Writes or overwrites a key.
   *
   * @param scope - the task or asset scope.
   * @param key - a valid key.
   * @param value - JSON text, stored verbatim.
   * @param options - `expiresAt` (UTC; null = never), compare-and-set conditions, the asset writer.
   * @throws StateStoreError `CONFLICT` when a compare-and-set condition fails; `DAG_RUN_NOT_FOUND` /
   *   `ASSET_NOT_FOUND` when the scope does not exist (metastore); `NOT_SUPPORTED` for compare-and-set on a
   *   backend without `capabilities.compareAndSet`; `BACKEND_UNAVAILABLE` when the store fails.
   */
  abstract set(scope: StoreScope, key: string, value: string, options?: SetOptions): Promise<void>;

  /**
   * Deletes one key; a no-op when it does not exist (unless `options.ifVersion` is given).
   *
   * @param options - `ifVersion`: compare-and-delete (backends with `capabilities.compareAndSet`).
   * @throws StateStoreError `CONFLICT` when `ifVersion` does not match a live value; `NOT_SUPPORTED` for
   *   `ifVersion` on a backend without compare-and-set; `BACKEND_UNAVAILABLE` when the store fails.
   */
  abstract delete(scope: StoreScope, key: string, options?: DeleteOptions): Promise<void>;

  /**
   * Deletes every key of a scope. For a TaskScope only the scope's exact map index unless
   * `allMapIndices`; for an AssetScope the flag has no effect.
   *
   * @throws StateStoreError `BACKEND_UNAVAILABLE` when the store fails.
   */
  abstract clear(scope: StoreScope, options?: ClearOptions): Promise<void>;

  /**
   * Reads a key with its metadata. Default: built on {@link get}, with no version or timestamps.
   *
   * @returns the entry, or null when missing or expired.
   */
  async getEntry(scope: StoreScope, key: string): Promise<StoreEntry | null> {
    const value = await this.get(scope, key);
    return value === null ? null : { key, value, version: null, updatedAt: null, expiresAt: null };
  }

  /**
   * Lists live keys of a scope in key order. Default: not supported.
   *
   * @throws StateStoreError `NOT_SUPPORTED` unless the backend declares `capabilities.listKeys`.
   */
  async list(scope: StoreScope, _options?: ListOptions): Promise<ListResult> {
    void scope;
    throw this.unsupported("list");
  }

  /**
   * Garbage collection: deletes expired keys (and whatever else the backend owns that is no longer
   * referenced). Default: nothing to do.
   *
   * @param options - `dryRun` to only count; `onProgress` for progress reports.
   * @returns counts per table or category.
   */
  async cleanup(options: CleanupOptions = {}): Promise<CleanupReport> {
    return { dryRun: options.dryRun ?? false, deleted: {}, durationMs: 0 };
  }

  /**
   * Checks that the store answers, for readiness probes and start-up checks: one cheap round trip (for
   * example `select 1`), changing nothing. Backends that implement it declare `capabilities.readiness`.
   * Default: resolves at once (nothing is checked). Callers bound it with a timeout of their own.
   *
   * @throws StateStoreError `BACKEND_UNAVAILABLE` when the store cannot be reached or fails.
   */
  async ping(): Promise<void> {}

  /** Releases connections and handles. Default: nothing to release. */
  async close(): Promise<void> {}

  /**
   * The handle of the storage this backend keeps rows in (for the built-in MetastoreBackend, its
   * database), so a caller holding the same handle can clear state in the same transaction as it records
   * a task instance's state. Default: null, not shared.
   *
   * @returns the handle, compared by identity; null when not shared.
   */
  storageHandle(): unknown {
    return null;
  }

  /**
   * Builds the `NOT_SUPPORTED` error for an optional operation this backend does not implement.
   *
   * @param operation - the operation, for example `list`.
   */
  protected unsupported(operation: string): StateStoreError {
    return notSupported(this.name, operation);
  }

  /**
   * Throws `NOT_SUPPORTED` when `options` asks for compare-and-set and the backend cannot do it.
   * Backends without compare-and-set call it first in `set`, so a condition is never silently ignored.
   */
  protected assertSetOptionsSupported(options: SetOptions | undefined): void {
    if (!this.capabilities.compareAndSet && (options?.ifVersion !== undefined || options?.ifAbsent)) {
      throw this.unsupported("compare-and-set (ifVersion / ifAbsent)");
    }
  }
}
