import { compareKeys } from "../../src/key-order.js";
import type { StoreScope } from "../../src/scope.js";
import { StateStoreError } from "../../src/state-store-error.js";
import {
  BaseStoreBackend,
  type ClearOptions,
  type DeleteOptions,
  type ListOptions,
  type ListResult,
  type SetOptions,
  type StoreBackendCapabilities,
  type StoreEntry,
} from "../../src/store-backend.js";
import type { AssetStateStoreWriter } from "../../src/writer-kind.js";

/** One call the backend received, with its arguments as given. */
export interface BackendCall {
  readonly op: "get" | "getEntry" | "set" | "delete" | "clear" | "list" | "cleanup" | "close";
  readonly key?: string;
  readonly value?: string;
  readonly options?: unknown;
}

interface Row {
  value: string;
  version: number;
  updatedAt: Date;
  expiresAt: Date | null;
  lastUpdatedBy: AssetStateStoreWriter | null;
}

/** How a {@link MapBackend} behaves beyond its capabilities. */
export interface MapBackendOptions {
  readonly capabilities?: Partial<StoreBackendCapabilities>;
  /** The clock deciding expiry, shared with the store under test. */
  readonly now: () => Date;
  /** Returns expired entries as if they were live, so only the core's filter hides them. */
  readonly returnExpired?: boolean;
  /** Reports `total` in listings. Default true. */
  readonly countTotal?: boolean;
  /** Ignores `cursor` and always lists from the start (a broken backend). */
  readonly ignoreCursor?: boolean;
}

/** The scope's part of a row's address; `map` drops the map index, for `allMapIndices`. */
function scopeId(scope: StoreScope, withMapIndex = true): string {
  if (scope.kind === "asset") return `asset|${scope.assetId ?? ""}|${scope.name ?? ""}|${scope.uri ?? ""}`;
  const base = `task|${scope.dagId}|${scope.runId}|${scope.taskId}|${scope.regionId}`;
  return withMapIndex ? `${base}|${scope.mapIndex}` : base;
}

/**
 * A backend over a Map, with versions, compare-and-set, expiry, listing by offset or cursor and a log of
 * every call, so tests can tell whether the core reached the backend at all.
 */
export class MapBackend extends BaseStoreBackend {
  readonly capabilities: StoreBackendCapabilities;
  readonly calls: BackendCall[] = [];
  /** Runs before a set is applied; a test uses it to play a concurrent writer. */
  beforeSet: ((key: string, options: SetOptions | undefined) => void) | undefined;
  readonly #rows = new Map<string, Map<string, Row>>();
  readonly #options: MapBackendOptions;

  constructor(options: MapBackendOptions) {
    super();
    this.#options = options;
    this.capabilities = {
      expiry: true,
      compareAndSet: true,
      listKeys: true,
      ...options.capabilities,
    };
  }

  override get name(): string {
    return "MapBackend";
  }

  /** The calls with these operations. */
  callsOf(...ops: BackendCall["op"][]): BackendCall[] {
    return this.calls.filter((c) => ops.includes(c.op));
  }

  /** Writes a row directly, bypassing every rule (a row written by someone else). */
  seed(scope: StoreScope, key: string, value: string, row: Partial<Omit<Row, "value">> = {}): void {
    this.#scopeRows(scope).set(key, {
      value,
      version: row.version ?? 1,
      updatedAt: row.updatedAt ?? this.#options.now(),
      expiresAt: row.expiresAt ?? null,
      lastUpdatedBy: row.lastUpdatedBy ?? null,
    });
  }

  /** The row as stored, expired or not. */
  raw(scope: StoreScope, key: string): Row | undefined {
    return this.#scopeRows(scope).get(key);
  }

  #scopeRows(scope: StoreScope): Map<string, Row> {
    const id = scopeId(scope);
    let rows = this.#rows.get(id);
    if (rows === undefined) {
      rows = new Map();
      this.#rows.set(id, rows);
    }
    return rows;
  }

  #live(row: Row | undefined): Row | undefined {
    if (row === undefined) return undefined;
    if (this.#options.returnExpired) return row;
    const expired = row.expiresAt !== null && row.expiresAt.getTime() <= this.#options.now().getTime();
    return expired ? undefined : row;
  }

  #entry(key: string, row: Row): StoreEntry {
    return {
      key,
      value: row.value,
      version: row.version,
      updatedAt: row.updatedAt,
      expiresAt: row.expiresAt,
      ...(this.capabilities.writerTracking ? { lastUpdatedBy: row.lastUpdatedBy } : {}),
    };
  }

  async get(scope: StoreScope, key: string): Promise<string | null> {
    this.calls.push({ op: "get", key });
    return this.#live(this.#scopeRows(scope).get(key))?.value ?? null;
  }

  override async getEntry(scope: StoreScope, key: string): Promise<StoreEntry | null> {
    this.calls.push({ op: "getEntry", key });
    const row = this.#live(this.#scopeRows(scope).get(key));
    return row === undefined ? null : this.#entry(key, row);
  }

  async set(scope: StoreScope, key: string, value: string, options?: SetOptions): Promise<void> {
    this.calls.push({ op: "set", key, value, options });
    this.assertSetOptionsSupported(options);
    this.beforeSet?.(key, options);
    const rows = this.#scopeRows(scope);
    // Compare-and-set sees only live rows, whatever `returnExpired` says.
    const stored = rows.get(key);
    const live =
      stored !== undefined &&
      (stored.expiresAt === null || stored.expiresAt.getTime() > this.#options.now().getTime())
        ? stored
        : undefined;
    if (options?.ifAbsent && live !== undefined) {
      throw new StateStoreError("CONFLICT", `key ${key} exists`);
    }
    if (options?.ifVersion !== undefined && live?.version !== options.ifVersion) {
      throw new StateStoreError("CONFLICT", `key ${key} is not at version ${options.ifVersion}`);
    }
    if (options?.expiresAt === "default") throw new Error("the core must resolve expiresAt: default");
    rows.set(key, {
      value,
      version: live === undefined ? 1 : live.version + 1,
      updatedAt: this.#options.now(),
      expiresAt: scope.kind === "task" ? (options?.expiresAt ?? null) : null,
      lastUpdatedBy: options?.writer ?? null,
    });
  }

  async delete(scope: StoreScope, key: string, options?: DeleteOptions): Promise<void> {
    this.calls.push({ op: "delete", key, options });
    const rows = this.#scopeRows(scope);
    if (options?.ifVersion !== undefined) {
      if (!this.capabilities.compareAndSet) throw this.unsupported("compare-and-delete");
      if (this.#live(rows.get(key))?.version !== options.ifVersion) {
        throw new StateStoreError("CONFLICT", `key ${key} is not at version ${options.ifVersion}`);
      }
    }
    rows.delete(key);
  }

  async clear(scope: StoreScope, options?: ClearOptions): Promise<void> {
    this.calls.push({ op: "clear", options });
    if (scope.kind === "task" && options?.allMapIndices) {
      const prefix = `${scopeId(scope, false)}|`;
      for (const id of this.#rows.keys()) if (id.startsWith(prefix)) this.#rows.delete(id);
      return;
    }
    this.#rows.delete(scopeId(scope));
  }

  override async list(scope: StoreScope, options: ListOptions = {}): Promise<ListResult> {
    this.calls.push({ op: "list", options });
    if (!this.capabilities.listKeys) throw this.unsupported("list");
    const prefix = options.prefix ?? "";
    const limit = options.limit ?? 100;
    const matching = [...this.#scopeRows(scope)]
      .filter(([key, row]) => key.startsWith(prefix) && this.#live(row) !== undefined)
      .sort(([a], [b]) => compareKeys(a, b));
    const cursor = this.#options.ignoreCursor ? undefined : options.cursor;
    const start =
      cursor === undefined
        ? (options.offset ?? 0)
        : matching.findIndex(([key]) => compareKeys(key, cursor) > 0);
    const from = start < 0 ? matching.length : start;
    const page = matching.slice(from, from + limit);
    const more = from + limit < matching.length;
    const lastKey = page.at(-1)?.[0];
    return {
      entries: page.map(([key, row]) => this.#entry(key, row)),
      ...(this.#options.countTotal === false ? {} : { total: matching.length }),
      nextCursor: more && lastKey !== undefined ? lastKey : null,
    };
  }

  override async cleanup(options: Parameters<BaseStoreBackend["cleanup"]>[0] = {}) {
    this.calls.push({ op: "cleanup", options });
    return { dryRun: options.dryRun ?? false, deleted: { asset_state_store: 0 }, durationMs: 0 };
  }

  override async close(): Promise<void> {
    this.calls.push({ op: "close" });
  }
}

/** A clock the test moves by hand. */
export interface FakeClock {
  readonly now: () => Date;
  /** Moves the clock forward. @param ms - milliseconds. */
  advance(ms: number): void;
}

/**
 * A fake clock starting at an instant.
 *
 * @param start - ISO-8601 text; default 2026-01-01T00:00:00Z.
 */
export function fakeClock(start = "2026-01-01T00:00:00Z"): FakeClock {
  let t = Date.parse(start);
  return {
    now: () => new Date(t),
    advance(ms) {
      t += ms;
    },
  };
}
