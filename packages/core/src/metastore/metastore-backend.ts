import {
  type AssetScope,
  type AssetSelector,
  type AssetStateStoreWriter,
  assetIdentity,
  assetNotFound,
  BaseStoreBackend,
  type CleanupOptions,
  type CleanupReport,
  type ClearOptions,
  type ConfigSections,
  compareAndSetConflict,
  compareKeys,
  DEFAULT_PAGE_LIMIT,
  type DeleteOptions,
  dagRunNotFound,
  defineStoreBackend,
  describeScope,
  type ListOptions,
  type ListResult,
  NO_REGION_ID,
  type SetOptions,
  StateStoreError,
  type StoreBackendCapabilities,
  type StoreEntry,
  type StoreScope,
  type TaskScope,
  validateAssetStateStoreWriter,
  validateKey,
} from "@tidemark/state";
import type { QueryResult } from "kysely";
import { createDatabase } from "../database/create-database.js";
import { isForeignKeyViolation, toBackendError } from "../database/driver-error.js";
import { pingDatabase } from "../database/ping-database.js";
import type { TidemarkDatabase } from "../database/tidemark-database.js";
import { cleanupMetastore, DEFAULT_CLEANUP_BATCH_SIZE } from "./cleanup.js";
import {
  type AssetEntryRow,
  type AssetIdentity,
  type KeyRange,
  MetastoreQueries,
  type TaskEntryRow,
} from "./metastore-queries.js";
import { prefixRange } from "./prefix-range.js";

/** Options of {@link MetastoreBackend} and {@link createMetastoreBackend}. */
export interface MetastoreBackendOptions {
  /** An open metastore (the caller closes it). Alternatively give `url` or `config`. */
  database?: TidemarkDatabase;
  /** A `database.url` to open (the backend closes it). Used when `database` is not given. */
  url?: string;
  /** Directory a relative SQLite `url` resolves against. Default `process.cwd()`. */
  cwd?: string;
  /**
   * The loaded configuration (`StoreBackendContext.config`, as `loadStoreBackend` passes it): supplies
   * `database.url` and `state_store.state_cleanup_batch_size` when the options above do not.
   */
  config?: ConfigSections;
  /** Expired task rows deleted per statement by `cleanup()`; 0 = one statement. Default 10000. */
  cleanupBatchSize?: number;
  /** The clock deciding expiry. Default `() => new Date()`. */
  now?: () => Date;
}

type AssetArgs = { assetId: number | null; name: string | null; uri: string | null };

const NO_WRITER = {
  writerKind: null,
  writerDagId: null,
  writerRunId: null,
  writerTaskId: null,
  writerMapIndex: null,
} as const;

/** The one identifier `assetIdentity` picks, as the queries take it (the other parameters unused). */
function assetTarget(scope: AssetScope): { identity: AssetIdentity; args: AssetArgs } {
  const picked = assetIdentity(scope);
  const none: AssetArgs = { assetId: null, name: null, uri: null };
  if (picked.by === "assetId") return { identity: "id", args: { ...none, assetId: picked.value } };
  if (picked.by === "name") return { identity: "name", args: { ...none, name: picked.value } };
  return { identity: "uri", args: { ...none, uri: picked.value } };
}

/** How `assetNotFound` names the asset of a scope: by the identifier the backend resolved. */
function assetSelectorOf(scope: AssetScope): AssetSelector {
  const picked = assetIdentity(scope);
  if (picked.by === "assetId") return { id: picked.value };
  return picked.by === "name" ? { name: picked.value } : { uri: picked.value };
}

/** The scope's region; a scope built by hand without one (plain JavaScript, older callers) is in none. */
function regionOf(scope: TaskScope): string {
  return scope.regionId ?? NO_REGION_ID;
}

function taskArgs(scope: TaskScope) {
  return {
    dagId: scope.dagId,
    runId: scope.runId,
    taskId: scope.taskId,
    regionId: regionOf(scope),
    mapIndex: scope.mapIndex,
  };
}

function writerOf(row: AssetEntryRow): AssetStateStoreWriter | null {
  switch (row.last_updated_by_kind) {
    case "task":
      return {
        kind: "task",
        dagId: row.last_updated_by_dag_id ?? "",
        runId: row.last_updated_by_run_id ?? "",
        taskId: row.last_updated_by_task_id ?? "",
        mapIndex: Number(row.last_updated_by_map_index ?? -1),
      };
    case "watcher":
    case "api":
      return { kind: row.last_updated_by_kind };
    default:
      return null;
  }
}

function writerArgs(writer: AssetStateStoreWriter | undefined) {
  if (writer === undefined) return NO_WRITER;
  const valid = validateAssetStateStoreWriter(writer);
  return valid.kind === "task"
    ? {
        writerKind: "task",
        writerDagId: valid.dagId,
        writerRunId: valid.runId,
        writerTaskId: valid.taskId,
        writerMapIndex: valid.mapIndex,
      }
    : { ...NO_WRITER, writerKind: valid.kind };
}

interface KeyBounds {
  readonly range: KeyRange;
  readonly lower: string | null;
  readonly upper: string | null;
}

/**
 * The smallest character a key may hold: keys never contain control characters (`validateKey`), so
 * `lastKey + " "` is the smallest key after `lastKey`. U+0000 would do as well for SQLite, but Postgres
 * text cannot hold it.
 */
const SMALLEST_KEY_CHARACTER = "\u0020";

function keyRange(prefix: string): KeyBounds {
  if (prefix === "") return { range: "all", lower: null, upper: null };
  const { lower, upper } = prefixRange(prefix);
  return upper === null ? { range: "lower", lower, upper: null } : { range: "range", lower, upper };
}

/** Narrows a prefix range to the keys after a cursor (the last key of the previous page). */
function afterCursor(bounds: KeyBounds, cursor: string): KeyBounds {
  try {
    validateKey(cursor);
  } catch {
    throw new StateStoreError(
      "INVALID_VALUE",
      "cursor is not the nextCursor of a listing of this backend; start again without a cursor",
      { details: { field: "cursor" } },
    );
  }
  const next = cursor + SMALLEST_KEY_CHARACTER;
  const lower = bounds.lower === null || compareKeys(next, bounds.lower) > 0 ? next : bounds.lower;
  return { range: bounds.range === "range" ? "range" : "lower", lower, upper: bounds.upper };
}

/** The page's entries and the cursor after it: one row more than the limit tells that a page follows. */
function pageOf(entries: StoreEntry[], limit: number): Pick<ListResult, "entries" | "nextCursor"> {
  const page = entries.slice(0, limit);
  const last = page.at(-1);
  return { entries: page, nextCursor: entries.length > limit && last !== undefined ? last.key : null };
}

/**
 * The server-side default backend: task state and asset state in the metastore's `task_state_store` and
 * `asset_state_store` tables, on SQLite or Postgres through Kysely. Reference: the metastore backend of
 * AIP-103, plus compare-and-set, listing, writer tracking and the asset orphan sweep.
 *
 * - A task scope resolves to its dag run by (dag_id, run_id) inside each statement; `set` for a dag run
 *   that does not exist fails with `DAG_RUN_NOT_FOUND`, while `get` returns null and `delete`/`clear` do
 *   nothing (use {@link scopeExists} to answer 404s).
 * - An asset scope addresses its asset by the identifier `assetIdentity` picks: the `assetId`, else the
 *   `name`, else the `uri`, the last two resolved to the ACTIVE asset. Writes need an active asset
 *   (`ASSET_NOT_FOUND` otherwise); reads, delete and clear by `assetId` reach the rows of a deactivated
 *   asset until the orphan sweep removes them.
 * - Its queries skip task keys with `expires_at <= now`. Asset state never expires (`expiresAt` is
 *   ignored for asset scopes).
 * - `set` is one `INSERT … ON CONFLICT DO UPDATE … RETURNING` statement that bumps `version` and
 *   `updated_at`; `ifAbsent` and `ifVersion` are decided inside that one statement, so concurrent writers
 *   never both win; a condition that fails is `compareAndSetConflict`. A key that had expired counts as
 *   absent and restarts at version 1.
 * - It only stores: keys, values, the size limit, option capabilities and the wording of conditions are
 *   the state store core's (`createStateStore`), which calls it with validated input.
 * - `list` pages by offset or by cursor (the last key of a page) and counts the matching keys.
 * - Driver failures surface as `BACKEND_UNAVAILABLE` with the driver error as `cause`.
 *
 * Run `migrate(database)` before use.
 */
export class MetastoreBackend extends BaseStoreBackend {
  /**
   * The definition `state_store.backend = "@tidemark/core#MetastoreBackend"` loads: it reads
   * `database.url` and `state_store.state_cleanup_batch_size` from the configuration and owns no section.
   */
  static readonly definition = defineStoreBackend({
    name: "MetastoreBackend",
    parseConfig: () => ({}),
    create: (_options, context) => new MetastoreBackend({ config: context.config, cwd: context.cwd }),
  });

  override readonly capabilities: StoreBackendCapabilities = Object.freeze({
    expiry: true,
    compareAndSet: true,
    listKeys: true,
    writerTracking: true,
    readiness: true,
  });

  /** The metastore this backend works on. */
  readonly database: TidemarkDatabase;
  /** Expired task rows deleted per statement by {@link cleanup}; 0 = one statement. */
  readonly cleanupBatchSize: number;

  readonly #ownsDatabase: boolean;
  readonly #now: () => Date;
  readonly #systemClock: boolean;
  readonly #q: MetastoreQueries;

  /**
   * @param options - the database (or a URL, or the configuration), the cleanup batch size, the clock.
   * @throws StateStoreError `CONFIG_ERROR` when no database is given and none can be opened from the
   *   options, or `cleanupBatchSize` is negative.
   */
  constructor(options: MetastoreBackendOptions = {}) {
    super();
    const configUrl = options.config?.database?.url;
    const url = options.url ?? (typeof configUrl === "string" ? configUrl : undefined);
    if (options.database !== undefined) {
      this.database = options.database;
      this.#ownsDatabase = false;
    } else if (url !== undefined) {
      this.database = createDatabase(url, options.cwd === undefined ? {} : { cwd: options.cwd });
      this.#ownsDatabase = true;
    } else {
      throw new StateStoreError(
        "CONFIG_ERROR",
        "MetastoreBackend needs a database: pass { database }, { url } or { config } with database.url",
        { details: { option: "database.url" } },
      );
    }
    const configured = options.config?.state_store?.state_cleanup_batch_size;
    const batch =
      options.cleanupBatchSize ?? (typeof configured === "number" ? configured : DEFAULT_CLEANUP_BATCH_SIZE);
    if (!Number.isSafeInteger(batch) || batch < 0) {
      throw new StateStoreError(
        "CONFIG_ERROR",
        `state_store.state_cleanup_batch_size must be an integer >= 0 (0 = one statement), got ${String(batch)}`,
        { details: { option: "state_store.state_cleanup_batch_size" } },
      );
    }
    this.cleanupBatchSize = batch;
    this.#now = options.now ?? (() => new Date());
    this.#systemClock = options.now === undefined;
    this.#q = new MetastoreQueries(this.database.db, this.database.adapter.mysqlSyntax);
  }

  /** "now" as the dialect stores timestamps (epoch ms on SQLite without a Date when the clock is the system's). */
  #nowValue(): Date | number {
    if (this.#systemClock) return this.database.adapter.currentTimestamp();
    return this.database.codec.timestamp(this.#now());
  }

  #fail(error: unknown, operation: string, scope: StoreScope): StateStoreError {
    if (isForeignKeyViolation(error)) return this.#scopeNotFound(scope);
    return toBackendError(error, this.database, `${operation} in ${describeScope(scope)}`);
  }

  #scopeNotFound(scope: StoreScope): StateStoreError {
    return scope.kind === "task"
      ? dagRunNotFound(scope.dagId, scope.runId)
      : assetNotFound(assetSelectorOf(scope));
  }

  /** {@inheritDoc @tidemark/state!BaseStoreBackend.get} */
  override async get(scope: StoreScope, key: string): Promise<string | null> {
    try {
      if (scope.kind === "task") {
        const value = await this.#q.taskGet().executeTakeFirstValue(this.database.db, {
          dagId: scope.dagId,
          runId: scope.runId,
          taskId: scope.taskId,
          regionId: regionOf(scope),
          mapIndex: scope.mapIndex,
          key,
          now: this.#nowValue(),
        });
        return value ?? null;
      }
      const { identity, args } = assetTarget(scope);
      const value = await this.#q
        .assetGet(identity)
        .executeTakeFirstValue(this.database.db, { ...args, key });
      return value ?? null;
    } catch (error) {
      throw this.#fail(error, `get of key ${JSON.stringify(key)}`, scope);
    }
  }

  /**
   * Reads a key with its metadata: `{key, value, version, updatedAt, expiresAt}` and, for asset scopes,
   * `lastUpdatedBy` (the writer or null).
   *
   * @returns the entry, or null when the key is missing or expired.
   * @throws StateStoreError `BACKEND_UNAVAILABLE` when the database fails.
   */
  override async getEntry(scope: StoreScope, key: string): Promise<StoreEntry | null> {
    try {
      if (scope.kind === "task") {
        const result = await this.#q.taskGetEntry().execute(this.database.db, {
          ...taskArgs(scope),
          key,
          now: this.#nowValue(),
        });
        const row = result.rows[0];
        return row === undefined ? null : this.#taskEntry(row);
      }
      const { identity, args } = assetTarget(scope);
      const result = await this.#q.assetGetEntry(identity).execute(this.database.db, { ...args, key });
      const row = result.rows[0];
      return row === undefined ? null : this.#assetEntry(row);
    } catch (error) {
      throw this.#fail(error, `getEntry of key ${JSON.stringify(key)}`, scope);
    }
  }

  #taskEntry(row: TaskEntryRow): StoreEntry {
    const { codec } = this.database;
    return {
      key: row.key,
      value: row.value,
      version: Number(row.version),
      updatedAt: codec.date(row.updated_at),
      expiresAt: codec.nullableDate(row.expires_at),
    };
  }

  #assetEntry(row: AssetEntryRow): StoreEntry {
    return {
      key: row.key,
      value: row.value,
      version: Number(row.version),
      updatedAt: this.database.codec.date(row.updated_at),
      expiresAt: null,
      lastUpdatedBy: writerOf(row),
    };
  }

  /**
   * Writes or overwrites a key in one atomic upsert statement.
   *
   * @param scope - a task scope (its dag run must exist) or an asset scope (its asset must be active).
   * @param key - a valid key.
   * @param value - JSON text, stored verbatim.
   * @param options - `expiresAt` (task scopes; a Date, or null or absent for never), `ifVersion` /
   *   `ifAbsent` (compare-and-set), `writer` (asset scopes; validated, recorded in `last_updated_by_*`).
   * @throws StateStoreError `DAG_RUN_NOT_FOUND`, `ASSET_NOT_FOUND`; `CONFLICT` when a compare-and-set
   *   condition fails; `INVALID_VALUE` for a bad writer; `BACKEND_UNAVAILABLE` when the database fails.
   */
  override async set(scope: StoreScope, key: string, value: string, options: SetOptions = {}): Promise<void> {
    const { ifVersion, ifAbsent } = options;
    const { db, codec } = this.database;
    const now = this.#nowValue();
    let result: QueryResult<unknown> | undefined;
    try {
      if (scope.kind === "task") {
        // "default" reaches only backends declaring defaultExpiry; the core resolves it for this one.
        const expiresAt = options.expiresAt instanceof Date ? options.expiresAt : null;
        const args = {
          dagId: scope.dagId,
          runId: scope.runId,
          taskId: scope.taskId,
          regionId: regionOf(scope),
          mapIndex: scope.mapIndex,
          key,
          value,
          updatedAt: now,
          expiresAt: expiresAt === null ? null : codec.timestamp(expiresAt),
          now,
          ifVersion: ifVersion ?? null,
        };
        if (ifVersion !== undefined && ifAbsent) result = undefined;
        else if (ifVersion !== undefined) result = await this.#q.taskUpdateIfVersion().execute(db, args);
        else result = await this.#q.taskUpsert(ifAbsent === true).execute(db, args);
      } else {
        const { identity, args: target } = assetTarget(scope);
        const args = {
          ...target,
          key,
          value,
          updatedAt: now,
          ifVersion: ifVersion ?? null,
          ...writerArgs(options.writer),
        };
        if (ifVersion !== undefined && ifAbsent) result = undefined;
        else if (ifVersion !== undefined)
          result = await this.#q.assetUpdateIfVersion(identity).execute(db, args);
        else result = await this.#q.assetUpsert(identity, ifAbsent === true).execute(db, args);
      }
    } catch (error) {
      throw this.#fail(error, `set of key ${JSON.stringify(key)}`, scope);
    }
    if (result === undefined || Number(result.numAffectedRows ?? 0) === 0) {
      // Nothing written: the scope is missing, or else the compare-and-set condition failed.
      if (!(await this.scopeExists(scope, { forWrite: true }))) throw this.#scopeNotFound(scope);
      throw compareAndSetConflict(key);
    }
  }

  /**
   * As {@link BaseStoreBackend.delete}.
   *
   * With `ifVersion` the delete is one statement that also matches the version (and, for task state, a
   * live expiry), so a concurrent writer can never lose its write to a stale delete.
   */
  override async delete(scope: StoreScope, key: string, options: DeleteOptions = {}): Promise<void> {
    if (options.ifVersion !== undefined) return this.#deleteIfVersion(scope, key, options.ifVersion);
    try {
      if (scope.kind === "task") {
        await this.#q.taskDelete().execute(this.database.db, { ...taskArgs(scope), key });
        return;
      }
      const { identity, args } = assetTarget(scope);
      await this.#q.assetDelete(identity).execute(this.database.db, { ...args, key });
    } catch (error) {
      throw this.#fail(error, `delete of key ${JSON.stringify(key)}`, scope);
    }
  }

  async #deleteIfVersion(scope: StoreScope, key: string, ifVersion: number): Promise<void> {
    const { db } = this.database;
    let result: QueryResult<unknown>;
    try {
      if (scope.kind === "task") {
        result = await this.#q
          .taskDeleteIfVersion()
          .execute(db, { ...taskArgs(scope), key, now: this.#nowValue(), ifVersion });
      } else {
        const { identity, args } = assetTarget(scope);
        result = await this.#q.assetDeleteIfVersion(identity).execute(db, { ...args, key, ifVersion });
      }
    } catch (error) {
      throw this.#fail(error, `delete of key ${JSON.stringify(key)}`, scope);
    }
    if (Number(result.numAffectedRows ?? 0) === 0) throw compareAndSetConflict(key);
  }

  /** {@inheritDoc @tidemark/state!BaseStoreBackend.clear} */
  override async clear(scope: StoreScope, options: ClearOptions = {}): Promise<void> {
    try {
      if (scope.kind === "task") {
        await this.#q.taskClear(options.allMapIndices === true).execute(this.database.db, taskArgs(scope));
        return;
      }
      const { identity, args } = assetTarget(scope);
      await this.#q.assetClear(identity).execute(this.database.db, args);
    } catch (error) {
      throw this.#fail(error, "clear", scope);
    }
  }

  /**
   * Lists live keys of a scope in key order (code point order, the same on SQLite and Postgres), with
   * their total. The prefix is matched literally: `%`, `_` and `\` are ordinary characters.
   *
   * @param options - `prefix`, `limit` (default 100), `offset` (default 0) or `cursor` (a `nextCursor`:
   *   the last key of the previous page, so keys written or deleted meanwhile shift nothing).
   * @returns the page, the number of matching live keys (the cursor aside), and `nextCursor`: null on
   *   the last page, and on an empty one.
   * @throws StateStoreError `INVALID_VALUE` for a cursor that is no key; `BACKEND_UNAVAILABLE`.
   */
  override async list(scope: StoreScope, options: ListOptions = {}): Promise<ListResult> {
    const limit = options.limit ?? DEFAULT_PAGE_LIMIT;
    const counted = keyRange(options.prefix ?? "");
    const cursor = options.cursor;
    const paged = cursor === undefined ? counted : afterCursor(counted, cursor);
    const offset = cursor === undefined ? (options.offset ?? 0) : 0;
    const { db } = this.database;
    try {
      if (scope.kind === "task") {
        const base = { ...taskArgs(scope), now: this.#nowValue(), limit: limit + 1, offset };
        const [page, count] = await Promise.all([
          this.#q.taskList(paged.range).execute(db, { ...base, lower: paged.lower, upper: paged.upper }),
          this.#q
            .taskCount(counted.range)
            .execute(db, { ...base, lower: counted.lower, upper: counted.upper }),
        ]);
        return {
          ...pageOf(
            page.rows.map((r) => this.#taskEntry(r)),
            limit,
          ),
          total: Number(count.rows[0]?.total ?? 0),
        };
      }
      const { identity, args: target } = assetTarget(scope);
      const base = { ...target, limit: limit + 1, offset };
      const [page, count] = await Promise.all([
        this.#q
          .assetList(identity, paged.range)
          .execute(db, { ...base, lower: paged.lower, upper: paged.upper }),
        this.#q
          .assetCount(identity, counted.range)
          .execute(db, { ...base, lower: counted.lower, upper: counted.upper }),
      ]);
      return {
        ...pageOf(
          page.rows.map((r) => this.#assetEntry(r)),
          limit,
        ),
        total: Number(count.rows[0]?.total ?? 0),
      };
    } catch (error) {
      throw this.#fail(error, "list", scope);
    }
  }

  /**
   * Tells whether a scope exists, for 404 answers: a task scope's dag run; an asset scope's asset (by
   * `assetId`: registered, active or not, unless `forWrite`; by name or uri: registered and active).
   *
   * @param scope - the scope.
   * @param options - `forWrite`: require what a write requires (an active asset).
   * @returns true when it exists.
   * @throws StateStoreError `BACKEND_UNAVAILABLE` when the database fails.
   */
  async scopeExists(scope: StoreScope, options: { forWrite?: boolean } = {}): Promise<boolean> {
    const { db } = this.database;
    try {
      if (scope.kind === "task") {
        const row = await db
          .selectFrom("dag_run")
          .select("id")
          .where("dag_id", "=", scope.dagId)
          .where("run_id", "=", scope.runId)
          .executeTakeFirst();
        return row !== undefined;
      }
      const { identity, args } = assetTarget(scope);
      let q = db.selectFrom("asset").select("id");
      if (identity !== "id" || options.forWrite) q = q.where("active", "=", this.database.codec.bool(true));
      if (identity === "id") q = q.where("id", "=", args.assetId as number);
      if (identity === "name") q = q.where("name", "=", args.name as string);
      if (identity === "uri") q = q.where("uri", "=", args.uri as string);
      return (await q.executeTakeFirst()) !== undefined;
    } catch (error) {
      throw this.#fail(error, "existence check", scope);
    }
  }

  /**
   * Garbage collection: expired task rows in batches of {@link cleanupBatchSize}, then the asset orphan
   * sweep (state of deactivated assets, which this backend finds itself, so `inactiveAssets` is not
   * needed). See `cleanupMetastore`.
   *
   * @param options - `dryRun` to only count; `onProgress` after every batch.
   * @returns `{dryRun, deleted: {task_state_store, asset_state_store}, durationMs}`.
   * @throws StateStoreError `BACKEND_UNAVAILABLE` when the database fails.
   */
  override async cleanup(options: CleanupOptions = {}): Promise<CleanupReport> {
    return cleanupMetastore(this.database, {
      ...options,
      batchSize: this.cleanupBatchSize,
      now: this.#now(),
    });
  }

  /**
   * One round trip to the metastore (`select 1`), for readiness probes.
   *
   * @throws StateStoreError `BACKEND_UNAVAILABLE` when the database cannot be reached or fails.
   */
  override async ping(): Promise<void> {
    await pingDatabase(this.database);
  }

  /** Closes the database when the backend opened it (from `url` or `config`); else nothing. */
  override async close(): Promise<void> {
    if (this.#ownsDatabase) await this.database.close();
  }

  /** The metastore, whose metadata API clears task state in the transaction that records a state. */
  override storageHandle(): unknown {
    return this.database;
  }
}

/**
 * Factory of {@link MetastoreBackend}, the provider convention's `createX(options)`.
 *
 * @param options - `database` (or `url`, or `config`), `cleanupBatchSize`, `now`.
 * @returns the backend.
 * @throws StateStoreError `CONFIG_ERROR` as the constructor.
 */
export function createMetastoreBackend(options: MetastoreBackendOptions = {}): MetastoreBackend {
  return new MetastoreBackend(options);
}
