import { NO_REGION_ID } from "@tidemark/state";
import { type Expression, type Kysely, type SqlBool, sql } from "kysely";
import { toBackendError } from "../database/driver-error.js";
import type { Database } from "../database/schema.js";
import type { TidemarkDatabase } from "../database/tidemark-database.js";

/** A page request of the browsing listings. */
export interface BrowsePage {
  /** Most items returned. */
  readonly limit: number;
  /** Items skipped. */
  readonly offset: number;
  /** Case-insensitive substring filter; "" or undefined = no filter. */
  readonly search?: string | undefined;
}

/** A dag and its number of runs. */
export interface DagRow {
  readonly dagId: string;
  readonly dagRunCount: number;
}

/** A dag run. */
export interface DagRunRow {
  readonly dagId: string;
  readonly runId: string;
  readonly createdAt: Date;
}

/** A task instance with its live task state key count (null when not counted here). */
export interface TaskInstanceRow {
  readonly id: string;
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  /** The region (a lower-case UUID); the all-zero UUID when in none. */
  readonly regionId: string;
  readonly mapIndex: number;
  readonly state: string | null;
  readonly tryNumber: number;
  readonly stateKeyCount: number | null;
}

/** An asset with its state key count (null when not counted here). */
export interface AssetRow {
  readonly id: number;
  readonly name: string;
  readonly uri: string;
  readonly active: boolean;
  readonly createdAt: Date;
  readonly stateKeyCount: number | null;
}

/** A page of rows and the number matching in all. */
export interface RowPage<T> {
  readonly rows: T[];
  readonly total: number;
}

/** What a task scope resolves to in the metastore. */
export interface TaskTargetLookup {
  /** The dag run exists. */
  readonly dagRunExists: boolean;
  /** Id of the task instance at the requested map index, or null. */
  readonly taskInstanceId: string | null;
  /** Some task instance of the task (any map index) exists in the dag run. */
  readonly anyMapIndexExists: boolean;
}

/**
 * The LIKE pattern of a case-insensitive substring search, with `%`, `_` and `\` escaped so they match
 * literally (used with `ESCAPE '\'`).
 *
 * @param search - the text searched for.
 * @returns `%text%`, lower-cased.
 */
export function substringPattern(search: string): string {
  return `%${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function contains(column: string, search: string, mysql: boolean): Expression<SqlBool> {
  // MySQL keeps ids as bytes, which lower() leaves alone: read them as text first.
  const text = mysql ? sql`convert(${sql.ref(column)} using utf8mb4)` : sql.ref(column);
  return sql<SqlBool>`lower(${text}) like ${substringPattern(search)} escape ${"\\"}`;
}

function assetsFrom(db: Kysely<Database>) {
  return db.selectFrom("asset as a");
}

type AssetQuery = ReturnType<typeof assetsFrom>;

function selectAssets(q: AssetQuery, countKeys: boolean) {
  return q.select((eb) => [
    "a.id",
    "a.name",
    "a.uri",
    "a.active",
    "a.created_at",
    countKeys
      ? eb
          .selectFrom("asset_state_store as s")
          .select((c) => c.fn.countAll().as("n"))
          .whereRef("s.asset_id", "=", "a.id")
          .as("key_count")
      : sql<null>`null`.as("key_count"),
  ]);
}

function count(value: unknown): number {
  return Number(value ?? 0);
}

function searching(page: BrowsePage): string | undefined {
  return page.search === undefined || page.search === "" ? undefined : page.search;
}

/**
 * Metastore queries behind the Core REST API's browsing endpoints (the pickers of the UI): dags, dag runs,
 * task instances and assets, each paged, searchable and counted. Searches are case-insensitive substring
 * matches (ASCII case folding on SQLite, full Unicode on Postgres) in which `%` and `_` are literal.
 */
export class BrowseQueries {
  readonly #database: TidemarkDatabase;

  /** @param database - the metastore. */
  constructor(database: TidemarkDatabase) {
    this.#database = database;
  }

  async #run<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toBackendError(error, this.#database, what);
    }
  }

  /**
   * Dags (distinct dag ids of dag runs) in dag id order, with their run counts; `search` matches dag ids.
   *
   * @throws StateStoreError `BACKEND_UNAVAILABLE`.
   */
  listDags(page: BrowsePage): Promise<RowPage<DagRow>> {
    const { db } = this.#database;
    const search = searching(page);
    return this.#run("listing dags", async () => {
      let q = db.selectFrom("dag_run");
      if (search !== undefined) q = q.where(contains("dag_id", search, this.#database.adapter.mysqlSyntax));
      const [rows, total] = await Promise.all([
        q
          .select((eb) => ["dag_id", eb.fn.countAll().as("n")])
          .groupBy("dag_id")
          .orderBy("dag_id")
          .limit(page.limit)
          .offset(page.offset)
          .execute(),
        q.select((eb) => eb.fn.count("dag_id").distinct().as("n")).executeTakeFirst(),
      ]);
      return {
        rows: rows.map((r) => ({ dagId: r.dag_id, dagRunCount: count(r.n) })),
        total: count(total?.n),
      };
    });
  }

  /**
   * Tells whether any dag run of `dagId` exists.
   *
   * @throws StateStoreError `BACKEND_UNAVAILABLE`.
   */
  dagExists(dagId: string): Promise<boolean> {
    const { db } = this.#database;
    return this.#run(`reading dag ${JSON.stringify(dagId)}`, async () => {
      const row = await db
        .selectFrom("dag_run")
        .select("id")
        .where("dag_id", "=", dagId)
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    });
  }

  /**
   * Tells whether the dag run (dag_id, run_id) exists.
   *
   * @throws StateStoreError `BACKEND_UNAVAILABLE`.
   */
  dagRunExists(dagId: string, runId: string): Promise<boolean> {
    const { db } = this.#database;
    return this.#run(`reading dag run ${dagId}/${runId}`, async () => {
      const row = await db
        .selectFrom("dag_run")
        .select("id")
        .where("dag_id", "=", dagId)
        .where("run_id", "=", runId)
        .executeTakeFirst();
      return row !== undefined;
    });
  }

  /**
   * The runs of a dag, newest first; `search` matches run ids.
   *
   * @throws StateStoreError `BACKEND_UNAVAILABLE`.
   */
  listDagRuns(dagId: string, page: BrowsePage): Promise<RowPage<DagRunRow>> {
    const { db, codec } = this.#database;
    const search = searching(page);
    return this.#run(`listing the runs of dag ${JSON.stringify(dagId)}`, async () => {
      let q = db.selectFrom("dag_run").where("dag_id", "=", dagId);
      if (search !== undefined) q = q.where(contains("run_id", search, this.#database.adapter.mysqlSyntax));
      const [rows, total] = await Promise.all([
        q
          .select(["dag_id", "run_id", "created_at"])
          .orderBy("created_at", "desc")
          .orderBy("id", "desc")
          .limit(page.limit)
          .offset(page.offset)
          .execute(),
        q.select((eb) => eb.fn.countAll().as("n")).executeTakeFirst(),
      ]);
      return {
        rows: rows.map((r) => ({ dagId: r.dag_id, runId: r.run_id, createdAt: codec.date(r.created_at) })),
        total: count(total?.n),
      };
    });
  }

  /**
   * Resolves a task scope to the metastore's dag run and task instance, for 404 answers.
   *
   * @throws StateStoreError `BACKEND_UNAVAILABLE`.
   */
  lookupTaskTarget(target: {
    dagId: string;
    runId: string;
    taskId: string;
    mapIndex: number;
    /** Default the all-zero UUID (no region). */
    regionId?: string;
  }): Promise<TaskTargetLookup> {
    const { db } = this.#database;
    return this.#run(`reading task instance ${target.dagId}/${target.runId}/${target.taskId}`, async () => {
      const rows = await db
        .selectFrom("dag_run as dr")
        .leftJoin("task_instance as ti", (join) =>
          join
            .onRef("ti.dag_run_id", "=", "dr.id")
            .on("ti.task_id", "=", target.taskId)
            .on("ti.region_id", "=", target.regionId ?? NO_REGION_ID),
        )
        .select(["dr.id as dag_run_id", "ti.id as ti_id", "ti.map_index"])
        .where("dr.dag_id", "=", target.dagId)
        .where("dr.run_id", "=", target.runId)
        .execute();
      const found = rows.find((r) => r.ti_id !== null && Number(r.map_index) === target.mapIndex);
      return {
        dagRunExists: rows.length > 0,
        taskInstanceId: found?.ti_id ?? null,
        anyMapIndexExists: rows.some((r) => r.ti_id !== null),
      };
    });
  }

  /**
   * The task instances of a dag run ordered by task id, region id and map index; `search` matches task
   * ids. With `countKeysAt`, each row carries its live task state key count (rows of the metastore's
   * `task_state_store` of its region not expired at that instant); otherwise `stateKeyCount` is null.
   *
   * @throws StateStoreError `BACKEND_UNAVAILABLE`.
   */
  listTaskInstances(
    dagId: string,
    runId: string,
    page: BrowsePage,
    countKeysAt: Date | null,
  ): Promise<RowPage<TaskInstanceRow>> {
    const { db, codec } = this.#database;
    const search = searching(page);
    return this.#run(`listing the task instances of dag run ${dagId}/${runId}`, async () => {
      let q = db
        .selectFrom("task_instance as ti")
        .where("ti.dag_id", "=", dagId)
        .where("ti.run_id", "=", runId);
      if (search !== undefined)
        q = q.where(contains("ti.task_id", search, this.#database.adapter.mysqlSyntax));
      const now = countKeysAt === null ? null : codec.timestamp(countKeysAt);
      const [rows, total] = await Promise.all([
        q
          .select((eb) => [
            "ti.id",
            "ti.dag_id",
            "ti.run_id",
            "ti.task_id",
            "ti.region_id",
            "ti.map_index",
            "ti.state",
            "ti.try_number",
            now === null
              ? sql<null>`null`.as("key_count")
              : eb
                  .selectFrom("task_state_store as s")
                  .select((c) => c.fn.countAll().as("n"))
                  .whereRef("s.dag_run_id", "=", "ti.dag_run_id")
                  .whereRef("s.task_id", "=", "ti.task_id")
                  .whereRef("s.region_id", "=", "ti.region_id")
                  .whereRef("s.map_index", "=", "ti.map_index")
                  .where((w) => w.or([w("s.expires_at", "is", null), w("s.expires_at", ">", now)]))
                  .as("key_count"),
          ])
          .orderBy("ti.task_id")
          .orderBy("ti.region_id")
          .orderBy("ti.map_index")
          .limit(page.limit)
          .offset(page.offset)
          .execute(),
        q.select((eb) => eb.fn.countAll().as("n")).executeTakeFirst(),
      ]);
      return {
        rows: rows.map((r) => ({
          id: r.id,
          dagId: r.dag_id,
          runId: r.run_id,
          taskId: r.task_id,
          regionId: r.region_id,
          mapIndex: Number(r.map_index),
          state: r.state,
          tryNumber: Number(r.try_number),
          stateKeyCount: r.key_count === null ? null : count(r.key_count),
        })),
        total: count(total?.n),
      };
    });
  }

  /**
   * Assets in name order (active and deactivated); `search` matches names and URIs. With `countKeys`,
   * each row carries its number of rows in the metastore's `asset_state_store`.
   *
   * @throws StateStoreError `BACKEND_UNAVAILABLE`.
   */
  listAssets(page: BrowsePage, countKeys: boolean): Promise<RowPage<AssetRow>> {
    const { db } = this.#database;
    const search = searching(page);
    return this.#run("listing assets", async () => {
      let q = assetsFrom(db);
      if (search !== undefined)
        q = q.where((eb) =>
          eb.or([
            contains("a.name", search, this.#database.adapter.mysqlSyntax),
            contains("a.uri", search, this.#database.adapter.mysqlSyntax),
          ]),
        );
      const [rows, total] = await Promise.all([
        selectAssets(q, countKeys)
          .orderBy("a.name")
          .orderBy("a.id")
          .limit(page.limit)
          .offset(page.offset)
          .execute(),
        q.select((eb) => eb.fn.countAll().as("n")).executeTakeFirst(),
      ]);
      return { rows: rows.map((r) => this.#assetRow(r)), total: count(total?.n) };
    });
  }

  /**
   * One asset by id, name or uri (by uri: the active one, else the newest deactivated one).
   *
   * @returns the asset, or null when none matches.
   * @throws StateStoreError `BACKEND_UNAVAILABLE`.
   */
  getAsset(
    by: { id: number } | { name: string } | { uri: string },
    countKeys: boolean,
  ): Promise<AssetRow | null> {
    const { db } = this.#database;
    return this.#run("reading an asset", async () => {
      let q = assetsFrom(db);
      if ("id" in by) q = q.where("a.id", "=", by.id);
      else if ("name" in by) q = q.where("a.name", "=", by.name);
      else q = q.where("a.uri", "=", by.uri);
      const row = await selectAssets(q, countKeys)
        .orderBy("a.active", "desc")
        .orderBy("a.id", "desc")
        .limit(1)
        .executeTakeFirst();
      return row === undefined ? null : this.#assetRow(row);
    });
  }

  #assetRow(r: {
    id: number;
    name: string;
    uri: string;
    active: unknown;
    created_at: unknown;
    key_count: unknown;
  }): AssetRow {
    const { codec } = this.#database;
    return {
      id: Number(r.id),
      name: r.name,
      uri: r.uri,
      active: codec.fromBool(r.active),
      createdAt: codec.date(r.created_at),
      stateKeyCount: r.key_count === null ? null : count(r.key_count),
    };
  }
}
