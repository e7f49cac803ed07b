import { type Kysely, type Selectable, sql } from "kysely";
import { type PreparedQuery, prepareQuery } from "../database/prepared-query.js";
import type { AssetStateStoreTable, Database, TaskStateStoreTable } from "../database/schema.js";

/** How an asset scope names its asset. */
export type AssetIdentity = "id" | "name" | "uri" | "nameUri";

/** A key filter of a list: none, a `lower <= key < upper` range, or `key >= lower` only. */
export type KeyRange = "all" | "range" | "lower";

/** Row of a task state entry, as the entry and list statements select it. */
export type TaskEntryRow = Pick<
  Selectable<TaskStateStoreTable>,
  "key" | "value" | "version" | "updated_at" | "expires_at"
>;

/** Row of an asset state entry, with its last writer. */
export type AssetEntryRow = Omit<Selectable<AssetStateStoreTable>, "asset_id">;

const TASK_SCOPE = ["dagId", "runId", "taskId", "regionId", "mapIndex"] as const;
const ASSET_IDENTITY = ["assetId", "name", "uri"] as const;
type TaskScopeParam = (typeof TASK_SCOPE)[number];
type AssetIdentityParam = (typeof ASSET_IDENTITY)[number];
type TaskParams = Readonly<Record<TaskScopeParam, never>>;
type AssetParams = Readonly<Record<AssetIdentityParam, never>>;

/**
 * The statements of MetastoreBackend, compiled once per backend and dialect on first use (see
 * `prepareQuery`). Task scopes resolve their dag run inside the statement (`dag_run_id = (select id
 * from dag_run where dag_id = ? and run_id = ?)`), asset scopes their active asset likewise, so every
 * get, set, delete and clear is one round trip. The writes return no rows: the number of rows they
 * affected (0 or 1) tells whether they wrote.
 */
export class MetastoreQueries {
  readonly #db: Kysely<Database>;
  /** Upserts as `ON DUPLICATE KEY UPDATE`, whose assignments run left to right (later ones see earlier). */
  readonly #mysql: boolean;
  readonly #cache = new Map<string, PreparedQuery<string, unknown>>();
  #taskGet: PreparedQuery<TaskScopeParam | "key" | "now", { value: string }> | undefined;

  constructor(db: Kysely<Database>, mysql = false) {
    this.#db = db;
    this.#mysql = mysql;
  }

  #memo<P extends string, R>(id: string, make: () => PreparedQuery<P, R>): PreparedQuery<P, R> {
    let query = this.#cache.get(id) as PreparedQuery<P, R> | undefined;
    if (query === undefined) {
      query = make();
      this.#cache.set(id, query as PreparedQuery<string, unknown>);
    }
    return query;
  }

  #dagRunId(p: TaskParams) {
    return this.#db
      .selectFrom("dag_run")
      .select("dag_run.id")
      .where("dag_run.dag_id", "=", p.dagId)
      .where("dag_run.run_id", "=", p.runId);
  }

  /** The id of the asset a scope names: the id itself for reads, else the active asset's id. */
  #assetId(identity: AssetIdentity, p: AssetParams, requireActive: boolean) {
    if (identity === "id" && !requireActive) return p.assetId;
    let q = this.#db.selectFrom("asset").select("asset.id").where("asset.active", "=", sql.lit(true));
    if (identity === "id") q = q.where("asset.id", "=", p.assetId);
    if (identity === "name" || identity === "nameUri") q = q.where("asset.name", "=", p.name);
    if (identity === "uri" || identity === "nameUri") q = q.where("asset.uri", "=", p.uri);
    return q;
  }

  // ---- task scope ----

  /** `select value` of a live key. */
  taskGet() {
    // The hottest statement keeps its own field: no closure or map lookup per call.
    if (this.#taskGet !== undefined) return this.#taskGet;
    this.#taskGet = this.#memo("taskGet", () =>
      prepareQuery([...TASK_SCOPE, "key", "now"], (p) =>
        this.#db
          .selectFrom("task_state_store as s")
          .select("s.value")
          .where("s.dag_run_id", "=", this.#dagRunId(p))
          .where("s.task_id", "=", p.taskId)
          .where("s.region_id", "=", p.regionId)
          .where("s.map_index", "=", p.mapIndex)
          .where("s.key", "=", p.key)
          .where((eb) => eb.or([eb("s.expires_at", "is", null), eb("s.expires_at", ">", p.now)]))
          .limit(sql.lit(1)),
      ),
    );
    return this.#taskGet;
  }

  /** A live key with its metadata. */
  taskGetEntry() {
    return this.#memo("taskGetEntry", () =>
      prepareQuery([...TASK_SCOPE, "key", "now"], (p) =>
        this.#db
          .selectFrom("task_state_store as s")
          .select(["s.key", "s.value", "s.version", "s.updated_at", "s.expires_at"])
          .where("s.dag_run_id", "=", this.#dagRunId(p))
          .where("s.task_id", "=", p.taskId)
          .where("s.region_id", "=", p.regionId)
          .where("s.map_index", "=", p.mapIndex)
          .where("s.key", "=", p.key)
          .where((eb) => eb.or([eb("s.expires_at", "is", null), eb("s.expires_at", ">", p.now)]))
          .limit(sql.lit(1)),
      ),
    );
  }

  /**
   * The upsert of `set`: insert, or overwrite bumping the version; an expired row counts as absent and
   * restarts at version 1. With `ifAbsent` a live row is left alone (0 rows affected). One statement;
   * 0 rows affected also when the dag run does not exist.
   */
  taskUpsert(ifAbsent: boolean) {
    return this.#memo(`taskUpsert:${ifAbsent}`, () =>
      prepareQuery([...TASK_SCOPE, "key", "value", "updatedAt", "expiresAt", "now"], (p) =>
        this.#db
          .insertInto("task_state_store")
          .columns([
            "dag_run_id",
            "dag_id",
            "run_id",
            "task_id",
            "region_id",
            "map_index",
            "key",
            "value",
            "version",
            "updated_at",
            "expires_at",
          ])
          .expression((eb) =>
            eb
              .selectFrom("dag_run")
              .select((eb) => [
                "dag_run.id",
                "dag_run.dag_id",
                "dag_run.run_id",
                eb.val<string>(p.taskId).as("task_id"),
                eb.val<string>(p.regionId).as("region_id"),
                eb.val<number>(p.mapIndex).as("map_index"),
                eb.val<string>(p.key).as("key"),
                eb.val<string>(p.value).as("value"),
                sql.lit(1).as("version"),
                eb.val<number>(p.updatedAt).as("updated_at"),
                eb.val<number | null>(p.expiresAt).as("expires_at"),
              ])
              .where("dag_run.dag_id", "=", p.dagId)
              .where("dag_run.run_id", "=", p.runId),
          )
          .$call((insert) => {
            if (!this.#mysql) return insert;
            const expired = sql<boolean>`task_state_store.expires_at is not null and task_state_store.expires_at <= ${p.now}`;
            const incoming = (column: string) => sql<never>`values(${sql.ref(column)})`;
            const current = (column: string) => sql.ref<never>(`task_state_store.${column}`);
            // expires_at last: `expired` reads the old value.
            return insert.onDuplicateKeyUpdate(
              ifAbsent
                ? {
                    version: sql<number>`if(${expired}, 1, ${current("version")})`,
                    value: sql<never>`if(${expired}, ${incoming("value")}, ${current("value")})`,
                    updated_at: sql<never>`if(${expired}, ${incoming("updated_at")}, ${current("updated_at")})`,
                    expires_at: sql<never>`if(${expired}, ${incoming("expires_at")}, ${current("expires_at")})`,
                  }
                : {
                    version: sql<number>`if(${expired}, 1, ${current("version")} + 1)`,
                    value: incoming("value"),
                    updated_at: incoming("updated_at"),
                    expires_at: incoming("expires_at"),
                  },
            );
          })
          .$if(!this.#mysql, (insert) =>
            insert.onConflict((oc) => {
              const target = oc.columns(["dag_run_id", "task_id", "region_id", "map_index", "key"]);
              const expiresAt = sql.ref("task_state_store.expires_at");
              const expired = sql<boolean>`${expiresAt} is not null and ${expiresAt} <= ${p.now}`;
              const update = target.doUpdateSet((eb) => ({
                value: eb.ref("excluded.value"),
                version: ifAbsent
                  ? sql.lit(1)
                  : eb
                      .case()
                      .when(expired)
                      .then(sql.lit(1))
                      .else(eb("task_state_store.version", "+", sql.lit(1)))
                      .end(),
                updated_at: eb.ref("excluded.updated_at"),
                expires_at: eb.ref("excluded.expires_at"),
              }));
              return ifAbsent ? update.where(expired) : update;
            }),
          ),
      ),
    );
  }

  /** Compare-and-set by version: overwrite a live row at version `ifVersion`, else 0 rows affected. */
  taskUpdateIfVersion() {
    return this.#memo("taskUpdateIfVersion", () =>
      prepareQuery([...TASK_SCOPE, "key", "value", "updatedAt", "expiresAt", "now", "ifVersion"], (p) =>
        this.#db
          .updateTable("task_state_store")
          .set((eb) => ({
            value: p.value,
            version: eb("task_state_store.version", "+", sql.lit(1)),
            updated_at: p.updatedAt,
            expires_at: p.expiresAt,
          }))
          .where("task_state_store.dag_run_id", "=", this.#dagRunId(p))
          .where("task_state_store.task_id", "=", p.taskId)
          .where("task_state_store.region_id", "=", p.regionId)
          .where("task_state_store.map_index", "=", p.mapIndex)
          .where("task_state_store.key", "=", p.key)
          .where("task_state_store.version", "=", p.ifVersion)
          .where((eb) =>
            eb.or([
              eb("task_state_store.expires_at", "is", null),
              eb("task_state_store.expires_at", ">", p.now),
            ]),
          ),
      ),
    );
  }

  /** Deletes one key. */
  taskDelete() {
    return this.#memo("taskDelete", () =>
      prepareQuery([...TASK_SCOPE, "key"], (p) =>
        this.#db
          .deleteFrom("task_state_store")
          .where("task_state_store.dag_run_id", "=", this.#dagRunId(p))
          .where("task_state_store.task_id", "=", p.taskId)
          .where("task_state_store.region_id", "=", p.regionId)
          .where("task_state_store.map_index", "=", p.mapIndex)
          .where("task_state_store.key", "=", p.key),
      ),
    );
  }

  /** Compare-and-delete: deletes a live row at version `ifVersion`, else 0 rows affected. */
  taskDeleteIfVersion() {
    return this.#memo("taskDeleteIfVersion", () =>
      prepareQuery([...TASK_SCOPE, "key", "now", "ifVersion"], (p) =>
        this.#db
          .deleteFrom("task_state_store")
          .where("task_state_store.dag_run_id", "=", this.#dagRunId(p))
          .where("task_state_store.task_id", "=", p.taskId)
          .where("task_state_store.region_id", "=", p.regionId)
          .where("task_state_store.map_index", "=", p.mapIndex)
          .where("task_state_store.key", "=", p.key)
          .where("task_state_store.version", "=", p.ifVersion)
          .where((eb) =>
            eb.or([
              eb("task_state_store.expires_at", "is", null),
              eb("task_state_store.expires_at", ">", p.now),
            ]),
          ),
      ),
    );
  }

  /**
   * Deletes every key of a task instance (of every map index of the task in the scope's region when
   * `allMapIndices`; other regions keep theirs).
   */
  taskClear(allMapIndices: boolean) {
    return this.#memo(`taskClear:${allMapIndices}`, () =>
      prepareQuery([...TASK_SCOPE], (p) => {
        const q = this.#db
          .deleteFrom("task_state_store")
          .where("task_state_store.dag_run_id", "=", this.#dagRunId(p))
          .where("task_state_store.task_id", "=", p.taskId)
          .where("task_state_store.region_id", "=", p.regionId);
        return allMapIndices ? q : q.where("task_state_store.map_index", "=", p.mapIndex);
      }),
    );
  }

  #taskListed(p: Readonly<Record<TaskScopeParam | "now" | "lower" | "upper", never>>, range: KeyRange) {
    let q = this.#db
      .selectFrom("task_state_store as s")
      .where("s.dag_run_id", "=", this.#dagRunId(p))
      .where("s.task_id", "=", p.taskId)
      .where("s.region_id", "=", p.regionId)
      .where("s.map_index", "=", p.mapIndex)
      .where((eb) => eb.or([eb("s.expires_at", "is", null), eb("s.expires_at", ">", p.now)]));
    if (range !== "all") q = q.where("s.key", ">=", p.lower);
    if (range === "range") q = q.where("s.key", "<", p.upper);
    return q;
  }

  /** A page of live keys in key order. */
  taskList(range: KeyRange) {
    return this.#memo(`taskList:${range}:false`, () =>
      prepareQuery([...TASK_SCOPE, "now", "lower", "upper", "limit", "offset"], (p) =>
        this.#taskListed(p, range)
          .select(["s.key", "s.value", "s.version", "s.updated_at", "s.expires_at"])
          .orderBy("s.key")
          .limit(p.limit)
          .offset(p.offset),
      ),
    );
  }

  /** The number of live keys {@link taskList} pages through (takes its parameters; ignores the page's). */
  taskCount(range: KeyRange) {
    return this.#memo(`taskList:${range}:true`, () =>
      prepareQuery([...TASK_SCOPE, "now", "lower", "upper", "limit", "offset"], (p) =>
        this.#taskListed(p, range).select((eb) => eb.fn.countAll().as("total")),
      ),
    );
  }

  // ---- asset scope ----

  /** `select value` of a key. */
  assetGet(identity: AssetIdentity) {
    return this.#memo(`assetGet:${identity}`, () =>
      prepareQuery([...ASSET_IDENTITY, "key"], (p) =>
        this.#db
          .selectFrom("asset_state_store as s")
          .select("s.value")
          .where("s.asset_id", "=", this.#assetId(identity, p, false))
          .where("s.key", "=", p.key)
          .limit(sql.lit(1)),
      ),
    );
  }

  /** A key with its metadata and last writer. */
  assetGetEntry(identity: AssetIdentity) {
    return this.#memo(`assetGetEntry:${identity}`, () =>
      prepareQuery([...ASSET_IDENTITY, "key"], (p) =>
        this.#db
          .selectFrom("asset_state_store as s")
          .select(ASSET_ENTRY_COLUMNS)
          .where("s.asset_id", "=", this.#assetId(identity, p, false))
          .where("s.key", "=", p.key)
          .limit(sql.lit(1)),
      ),
    );
  }

  /** The upsert of asset `set` on the active asset; with `ifAbsent` an existing row is left alone. */
  assetUpsert(identity: AssetIdentity, ifAbsent: boolean) {
    return this.#memo(`assetUpsert:${identity}:${ifAbsent}`, () =>
      prepareQuery([...ASSET_IDENTITY, "key", "value", "updatedAt", ...WRITER], (p) =>
        this.#db
          .insertInto("asset_state_store")
          .columns([
            "asset_id",
            "key",
            "value",
            "version",
            "updated_at",
            "last_updated_by_kind",
            "last_updated_by_dag_id",
            "last_updated_by_run_id",
            "last_updated_by_task_id",
            "last_updated_by_map_index",
          ])
          .expression((eb) => {
            let q = eb
              .selectFrom("asset")
              .select((eb) => [
                "asset.id",
                eb.val<string>(p.key).as("key"),
                eb.val<string>(p.value).as("value"),
                sql.lit(1).as("version"),
                eb.val<number>(p.updatedAt).as("updated_at"),
                eb.val<string | null>(p.writerKind).as("last_updated_by_kind"),
                eb.val<string | null>(p.writerDagId).as("last_updated_by_dag_id"),
                eb.val<string | null>(p.writerRunId).as("last_updated_by_run_id"),
                eb.val<string | null>(p.writerTaskId).as("last_updated_by_task_id"),
                eb.val<number | null>(p.writerMapIndex).as("last_updated_by_map_index"),
              ])
              .where("asset.active", "=", sql.lit(true));
            if (identity === "id") q = q.where("asset.id", "=", p.assetId);
            if (identity === "name" || identity === "nameUri") q = q.where("asset.name", "=", p.name);
            if (identity === "uri" || identity === "nameUri") q = q.where("asset.uri", "=", p.uri);
            return q;
          })
          .$if(this.#mysql, (insert) =>
            insert.onDuplicateKeyUpdate(
              ifAbsent
                ? { asset_id: sql.ref<number>("asset_state_store.asset_id") }
                : {
                    value: sql<never>`values(${sql.ref("value")})`,
                    version: sql<number>`${sql.ref("asset_state_store.version")} + 1`,
                    updated_at: sql<never>`values(${sql.ref("updated_at")})`,
                    last_updated_by_kind: sql<never>`values(${sql.ref("last_updated_by_kind")})`,
                    last_updated_by_dag_id: sql<never>`values(${sql.ref("last_updated_by_dag_id")})`,
                    last_updated_by_run_id: sql<never>`values(${sql.ref("last_updated_by_run_id")})`,
                    last_updated_by_task_id: sql<never>`values(${sql.ref("last_updated_by_task_id")})`,
                    last_updated_by_map_index: sql<never>`values(${sql.ref("last_updated_by_map_index")})`,
                  },
            ),
          )
          .$if(!this.#mysql, (insert) =>
            insert.onConflict((oc) => {
              const target = oc.columns(["asset_id", "key"]);
              return ifAbsent
                ? target.doNothing()
                : target.doUpdateSet((eb) => ({
                    value: eb.ref("excluded.value"),
                    version: eb("asset_state_store.version", "+", sql.lit(1)),
                    updated_at: eb.ref("excluded.updated_at"),
                    last_updated_by_kind: eb.ref("excluded.last_updated_by_kind"),
                    last_updated_by_dag_id: eb.ref("excluded.last_updated_by_dag_id"),
                    last_updated_by_run_id: eb.ref("excluded.last_updated_by_run_id"),
                    last_updated_by_task_id: eb.ref("excluded.last_updated_by_task_id"),
                    last_updated_by_map_index: eb.ref("excluded.last_updated_by_map_index"),
                  }));
            }),
          ),
      ),
    );
  }

  /** Compare-and-set by version on the active asset's key. */
  assetUpdateIfVersion(identity: AssetIdentity) {
    return this.#memo(`assetUpdateIfVersion:${identity}`, () =>
      prepareQuery([...ASSET_IDENTITY, "key", "value", "updatedAt", "ifVersion", ...WRITER], (p) =>
        this.#db
          .updateTable("asset_state_store")
          .set((eb) => ({
            value: p.value,
            version: eb("asset_state_store.version", "+", sql.lit(1)),
            updated_at: p.updatedAt,
            last_updated_by_kind: p.writerKind,
            last_updated_by_dag_id: p.writerDagId,
            last_updated_by_run_id: p.writerRunId,
            last_updated_by_task_id: p.writerTaskId,
            last_updated_by_map_index: p.writerMapIndex,
          }))
          .where("asset_state_store.asset_id", "=", this.#assetId(identity, p, true))
          .where("asset_state_store.key", "=", p.key)
          .where("asset_state_store.version", "=", p.ifVersion),
      ),
    );
  }

  /** Deletes one key. */
  assetDelete(identity: AssetIdentity) {
    return this.#memo(`assetDelete:${identity}`, () =>
      prepareQuery([...ASSET_IDENTITY, "key"], (p) =>
        this.#db
          .deleteFrom("asset_state_store")
          .where("asset_state_store.asset_id", "=", this.#assetId(identity, p, false))
          .where("asset_state_store.key", "=", p.key),
      ),
    );
  }

  /** Compare-and-delete: deletes the row at version `ifVersion`, else 0 rows affected. */
  assetDeleteIfVersion(identity: AssetIdentity) {
    return this.#memo(`assetDeleteIfVersion:${identity}`, () =>
      prepareQuery([...ASSET_IDENTITY, "key", "ifVersion"], (p) =>
        this.#db
          .deleteFrom("asset_state_store")
          .where("asset_state_store.asset_id", "=", this.#assetId(identity, p, false))
          .where("asset_state_store.key", "=", p.key)
          .where("asset_state_store.version", "=", p.ifVersion),
      ),
    );
  }

  /** Deletes every key of an asset. */
  assetClear(identity: AssetIdentity) {
    return this.#memo(`assetClear:${identity}`, () =>
      prepareQuery([...ASSET_IDENTITY], (p) =>
        this.#db
          .deleteFrom("asset_state_store")
          .where("asset_state_store.asset_id", "=", this.#assetId(identity, p, false)),
      ),
    );
  }

  #assetListed(
    identity: AssetIdentity,
    p: Readonly<Record<AssetIdentityParam | "lower" | "upper", never>>,
    range: KeyRange,
  ) {
    let q = this.#db
      .selectFrom("asset_state_store as s")
      .where("s.asset_id", "=", this.#assetId(identity, p, false));
    if (range !== "all") q = q.where("s.key", ">=", p.lower);
    if (range === "range") q = q.where("s.key", "<", p.upper);
    return q;
  }

  /** A page of an asset's keys in key order. */
  assetList(identity: AssetIdentity, range: KeyRange) {
    return this.#memo(`assetList:${identity}:${range}:false`, () =>
      prepareQuery([...ASSET_IDENTITY, "lower", "upper", "limit", "offset"], (p) =>
        this.#assetListed(identity, p, range)
          .select(ASSET_ENTRY_COLUMNS)
          .orderBy("s.key")
          .limit(p.limit)
          .offset(p.offset),
      ),
    );
  }

  /** The number of keys {@link assetList} pages through (takes its parameters; ignores the page's). */
  assetCount(identity: AssetIdentity, range: KeyRange) {
    return this.#memo(`assetList:${identity}:${range}:true`, () =>
      prepareQuery([...ASSET_IDENTITY, "lower", "upper", "limit", "offset"], (p) =>
        this.#assetListed(identity, p, range).select((eb) => eb.fn.countAll().as("total")),
      ),
    );
  }
}

const WRITER = ["writerKind", "writerDagId", "writerRunId", "writerTaskId", "writerMapIndex"] as const;

const ASSET_ENTRY_COLUMNS = [
  "s.key",
  "s.value",
  "s.version",
  "s.updated_at",
  "s.last_updated_by_kind",
  "s.last_updated_by_dag_id",
  "s.last_updated_by_run_id",
  "s.last_updated_by_task_id",
  "s.last_updated_by_map_index",
] as const;
