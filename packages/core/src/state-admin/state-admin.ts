import {
  type AssetScope,
  assetDeactivated,
  assetNotFound,
  assetScope,
  type BaseStoreBackend,
  checkPage,
  createStateStore,
  type StateEntry,
  type StateStore,
  StateStoreError,
  type StateStoreInstrumentation,
  type StoreScope,
  type TaskScope,
  taskInstanceNotFound,
  taskScope,
  unwrapStateRef,
  validateKey,
  type WriteCondition,
} from "@tidemark/state";
import type { TidemarkDatabase } from "../database/tidemark-database.js";
import { inactiveAssetScopes } from "../metastore/state-store-cleanup.js";
import { type AssetRow, BrowseQueries } from "./browse-queries.js";
import type { ReferenceSeal } from "./reference-seal.js";
import { assetStateEntryJson, taskStateEntryJson } from "./state-entry-json.js";
import type {
  AssetLookup,
  AssetStateWrite,
  BrowseRequest,
  DeleteCondition,
  StateListPage,
  StatePageRequest,
  StateStoreAccess,
  TaskStateWrite,
  TaskTarget,
  ValueWrite,
} from "./state-store-access.js";
import type {
  AssetListJson,
  AssetStateEntryJson,
  AssetStateListJson,
  AssetSummaryJson,
  DagListJson,
  DagRunListJson,
  TaskInstanceListJson,
  TaskStateEntryJson,
  TaskStateListJson,
} from "./wire-types.js";

/** The `state_store` options the operator paths apply. */
export interface StateAdminSettings {
  /** `state_store.max_value_storage_bytes` (0 = no limit). */
  readonly maxValueStorageBytes: number;
  /** `state_store.default_retention_days` (0 = never expire). */
  readonly defaultRetentionDays: number;
}

/** What {@link StateAdmin} works on. */
export interface StateAdminOptions {
  /** The metastore: dag runs, task instances and assets (for 404s and browsing). */
  readonly database: TidemarkDatabase;
  /** The configured server backend (`state_store.backend`, default MetastoreBackend): where state is. */
  readonly backend: BaseStoreBackend;
  /** The `state_store` options applied. */
  readonly settings: StateAdminSettings;
  /** The clock deciding expiry and the default retention. Default `() => new Date()`. */
  readonly now?: () => Date;
  /**
   * Seals references on reads (`ref_seal`) and checks the seal of a restored one. Without it no reference
   * can be restored through this admin.
   */
  readonly referenceSeal?: ReferenceSeal;
  /** Hooks around every state store operation (metrics, traces). Default none. */
  readonly instrumentation?: StateStoreInstrumentation;
}

function taskScopeOf(target: TaskTarget): TaskScope {
  return taskScope({
    dagId: target.dagId,
    runId: target.runId,
    taskId: target.taskId,
    mapIndex: target.mapIndex ?? -1,
    ...(target.regionId === undefined ? {} : { regionId: target.regionId }),
  });
}

/** The condition members of a write, passed on to the state store. */
function writeCondition(write: WriteCondition): WriteCondition {
  return {
    ifVersion: write.ifVersion,
    ifAbsent: write.ifAbsent,
    ifMatch: write.ifMatch,
    conditionStyle: write.conditionStyle,
  };
}

/**
 * The Core REST API's rules, independent of HTTP; the `/api/v2` routes are thin wrappers around it and the
 * CLI's direct mode calls it on the configured database. State goes through one state store
 * (`createStateStore`) on the configured server backend (`state_store.backend`, default
 * MetastoreBackend), the same core as the Execution API's, which owns key and value validation, the size
 * limit (413 `VALUE_TOO_LARGE`), expiry, compare-and-set and the wording of errors. On top of it:
 *
 * - an unknown dag run, task instance or asset is a 404 on every operation, DELETE included (the
 *   reference answered 204 to typos for a while); writes (PUT, PATCH, DELETE, clear) to a deactivated
 *   asset are 404 too, since its state is read-only until the orphan sweep removes it;
 * - operators cannot write a reference envelope: only an export's sealed reference is restored;
 * - an `expires_at` must lie in the future, since an expired key could never be read back;
 * - asset state written here records the writer `{kind: "api"}`.
 */
export class StateAdmin implements StateStoreAccess {
  readonly #backend: BaseStoreBackend;
  readonly #store: StateStore;
  readonly #now: () => Date;
  readonly #seal: ReferenceSeal | undefined;
  readonly #browse: BrowseQueries;
  /** The backend keeps its rows in this metastore, so key counts can be one SQL subquery. */
  readonly #countInSql: boolean;

  /** @param options - the metastore, the server backend, the settings, the clock. */
  constructor(options: StateAdminOptions) {
    this.#backend = options.backend;
    this.#now = options.now ?? (() => new Date());
    this.#seal = options.referenceSeal;
    this.#browse = new BrowseQueries(options.database);
    this.#store = createStateStore(options.backend, {
      side: "server",
      references: "refuse",
      requireFutureExpiry: true,
      maxValueStorageBytes: options.settings.maxValueStorageBytes,
      defaultRetentionDays: options.settings.defaultRetentionDays,
      now: this.#now,
      ...(options.instrumentation === undefined ? {} : { instrumentation: options.instrumentation }),
      // A backend outside the metastore learns from it which assets' state is orphaned.
      ...(options.backend.storageHandle() === options.database
        ? {}
        : { inactiveAssets: () => inactiveAssetScopes(options.database) }),
    });
    this.#countInSql = options.backend.storageHandle() === options.database;
  }

  /** The server backend state goes through. */
  get backend(): BaseStoreBackend {
    return this.#backend;
  }

  /** The state store every operation goes through. */
  get store(): StateStore {
    return this.#store;
  }

  // ---- task state ----------------------------------------------------------------------------------

  /**
   * Resolves a task scope, checking that its dag run and task instance exist.
   *
   * @param target - dag id, run id, task id, map index (default -1).
   * @param options - `anyMapIndex`: accept any task instance of the task (for clearing every map index).
   * @returns the scope.
   * @throws StateStoreError `INVALID_SCOPE` for empty ids or a map index below -1; `DAG_RUN_NOT_FOUND`;
   *   `TASK_INSTANCE_NOT_FOUND`.
   */
  async taskScope(target: TaskTarget, options: { anyMapIndex?: boolean } = {}): Promise<TaskScope> {
    const scope = taskScopeOf(target);
    const found = await this.#browse.lookupTaskTarget(scope);
    const all = options.anyMapIndex === true;
    const address = {
      dagId: scope.dagId,
      runId: scope.runId,
      taskId: scope.taskId,
      mapIndex: all ? ("all" as const) : scope.mapIndex,
    };
    if (!found.dagRunExists) throw taskInstanceNotFound(address, "DAG_RUN_NOT_FOUND");
    if (all ? !found.anyMapIndexExists : found.taskInstanceId === null) throw taskInstanceNotFound(address);
    return scope;
  }

  /**
   * Lists a task instance's live keys in key order.
   *
   * @throws StateStoreError as {@link taskScope}; `INVALID_VALUE` for a bad page; `NOT_SUPPORTED` when the
   *   server backend cannot list keys.
   */
  async listTaskState(target: TaskTarget, page: StatePageRequest = {}): Promise<TaskStateListJson> {
    return (await this.taskStatePage(target, page)).list;
  }

  /**
   * As {@link listTaskState}, with the cursor of the next page (`page.cursor` continues a listing).
   *
   * @throws StateStoreError as {@link listTaskState}; `INVALID_VALUE` for a cursor the backend refuses.
   */
  async taskStatePage(
    target: TaskTarget,
    page: StatePageRequest = {},
  ): Promise<StateListPage<TaskStateListJson>> {
    // A bad page is refused before the scope is looked up.
    checkPage(page);
    const scope = await this.taskScope(target);
    const { entries, total, nextCursor } = await this.#list(scope, page);
    return {
      list: {
        task_state_store: entries.map((e) => this.#sealed(scope, taskStateEntryJson(e))),
        total_entries: total,
      },
      nextCursor,
    };
  }

  /**
   * Reads one task state key.
   *
   * @throws StateStoreError as {@link taskScope}; `INVALID_KEY`; `NOT_FOUND` for a missing or expired key.
   */
  async getTaskState(target: TaskTarget, key: string): Promise<TaskStateEntryJson> {
    const scope = await this.taskScope(target);
    return this.#sealed(scope, taskStateEntryJson(await this.#store.require(scope, key)));
  }

  /**
   * Writes a task state key (PUT): value, expiry (`"default"` or absent, null or ISO-8601 with an offset
   * in the future) and an optional condition.
   *
   * @returns the entry as stored.
   * @throws StateStoreError as {@link taskScope}; `INVALID_KEY`; `INVALID_VALUE` for a bad value, expiry
   *   or seal; `VALUE_TOO_LARGE`; `CONFLICT` / `PRECONDITION_FAILED` when the condition does not hold.
   */
  async putTaskState(target: TaskTarget, key: string, write: TaskStateWrite): Promise<TaskStateEntryJson> {
    const scope = await this.taskScope(target);
    const entry = await this.#store.put(scope, key, write.value, {
      ...writeCondition(write),
      expiresAt: write.expiresAt === undefined ? "default" : write.expiresAt,
      restoreReference: this.#restoring(scope, key, write),
    });
    return this.#sealed(scope, taskStateEntryJson(entry));
  }

  /**
   * Replaces the value of an existing task state key (PATCH), keeping its `expires_at`.
   *
   * @throws StateStoreError as {@link putTaskState}; `NOT_FOUND` when the key is missing or expired.
   */
  async patchTaskState(target: TaskTarget, key: string, write: ValueWrite): Promise<TaskStateEntryJson> {
    const scope = await this.taskScope(target);
    const entry = await this.#store.replace(scope, key, write.value, {
      ...writeCondition(write),
      restoreReference: this.#restoring(scope, key, write),
    });
    return this.#sealed(scope, taskStateEntryJson(entry));
  }

  /**
   * Deletes a task state key; a missing key of an existing task instance is not an error.
   *
   * @param condition - `ifVersion` / `ifMatch`: delete only the live value at that version, in one backend
   *   statement; `ifAbsent`: succeed only when no live value exists (then nothing is deleted).
   * @throws StateStoreError as {@link taskScope}; `INVALID_KEY`; `CONFLICT` / `PRECONDITION_FAILED` when
   *   the condition does not hold; `NOT_SUPPORTED` for a condition on a backend without compare-and-set.
   */
  async deleteTaskState(target: TaskTarget, key: string, condition: DeleteCondition = {}): Promise<void> {
    const scope = await this.taskScope(target);
    await this.#store.delete(scope, key, writeCondition(condition));
  }

  /**
   * Deletes every key of a task instance's map index, or with `allMapIndices` of every map index of the
   * task in that dag run (then any task instance of the task must exist).
   *
   * @throws StateStoreError as {@link taskScope}.
   */
  async clearTaskState(target: TaskTarget, options: { allMapIndices?: boolean } = {}): Promise<void> {
    const all = options.allMapIndices === true;
    const scope = await this.taskScope(target, { anyMapIndex: all });
    await this.#store.clear(scope, { allMapIndices: all });
  }

  // ---- asset state ---------------------------------------------------------------------------------

  /**
   * Finds an asset (active or deactivated) with its state key count.
   *
   * @throws StateStoreError `ASSET_NOT_FOUND`.
   */
  async findAsset(selector: AssetLookup): Promise<AssetSummaryJson> {
    const row = await this.#browse.getAsset(selector, this.#countInSql);
    if (row === null) throw assetNotFound(selector);
    return (await this.#assetSummaries([row]))[0] as AssetSummaryJson;
  }

  /**
   * The asset scope of an asset id, checking the asset exists (and, for writes, is active).
   *
   * @throws StateStoreError `ASSET_NOT_FOUND`.
   */
  async assetScope(assetId: number, options: { forWrite?: boolean } = {}): Promise<AssetScope> {
    const row =
      Number.isSafeInteger(assetId) && assetId >= 1
        ? await this.#browse.getAsset({ id: assetId }, false)
        : null;
    if (row === null) throw assetNotFound({ id: assetId });
    if (options.forWrite && !row.active) throw assetDeactivated(row.name, assetId);
    return assetScope({ assetId: row.id, name: row.name, uri: row.uri });
  }

  /** Lists an asset's keys in key order. @throws StateStoreError as {@link listTaskState}. */
  async listAssetState(assetId: number, page: StatePageRequest = {}): Promise<AssetStateListJson> {
    return (await this.assetStatePage(assetId, page)).list;
  }

  /**
   * As {@link listAssetState}, with the cursor of the next page (`page.cursor` continues a listing).
   *
   * @throws StateStoreError as {@link listAssetState}; `INVALID_VALUE` for a cursor the backend refuses.
   */
  async assetStatePage(
    assetId: number,
    page: StatePageRequest = {},
  ): Promise<StateListPage<AssetStateListJson>> {
    checkPage(page);
    const scope = await this.assetScope(assetId);
    const { entries, total, nextCursor } = await this.#list(scope, page);
    return {
      list: {
        asset_state_store: entries.map((e) => this.#sealed(scope, assetStateEntryJson(e))),
        total_entries: total,
      },
      nextCursor,
    };
  }

  /** Reads one asset state key. @throws StateStoreError `ASSET_NOT_FOUND`, `INVALID_KEY`, `NOT_FOUND`. */
  async getAssetState(assetId: number, key: string): Promise<AssetStateEntryJson> {
    const scope = await this.assetScope(assetId);
    return this.#sealed(scope, assetStateEntryJson(await this.#store.require(scope, key)));
  }

  /**
   * Writes an asset state key (PUT), recording the writer `{kind: "api"}` (or `write.writer`).
   *
   * @throws StateStoreError `ASSET_NOT_FOUND` (also for a deactivated asset); `INVALID_KEY`;
   *   `INVALID_VALUE`; `VALUE_TOO_LARGE`; `CONFLICT` / `PRECONDITION_FAILED`.
   */
  async putAssetState(assetId: number, key: string, write: AssetStateWrite): Promise<AssetStateEntryJson> {
    const scope = await this.assetScope(assetId, { forWrite: true });
    const entry = await this.#store.put(scope, key, write.value, {
      ...writeCondition(write),
      writer: write.writer ?? { kind: "api" },
      restoreReference: this.#restoring(scope, key, write),
    });
    return this.#sealed(scope, assetStateEntryJson(entry));
  }

  /**
   * Replaces the value of an existing asset state key (PATCH), recording the writer `{kind: "api"}`.
   *
   * @throws StateStoreError as {@link putAssetState}; `NOT_FOUND` when the key is missing.
   */
  async patchAssetState(assetId: number, key: string, write: ValueWrite): Promise<AssetStateEntryJson> {
    const scope = await this.assetScope(assetId, { forWrite: true });
    const entry = await this.#store.replace(scope, key, write.value, {
      ...writeCondition(write),
      writer: { kind: "api" },
      restoreReference: this.#restoring(scope, key, write),
    });
    return this.#sealed(scope, assetStateEntryJson(entry));
  }

  /**
   * Deletes an asset state key, under `condition` as {@link deleteTaskState}.
   *
   * @throws StateStoreError `ASSET_NOT_FOUND`, `INVALID_KEY`; `CONFLICT` / `PRECONDITION_FAILED` when the
   *   condition does not hold.
   */
  async deleteAssetState(assetId: number, key: string, condition: DeleteCondition = {}): Promise<void> {
    const scope = await this.assetScope(assetId, { forWrite: true });
    await this.#store.delete(scope, key, writeCondition(condition));
  }

  /** Deletes every key of an asset. @throws StateStoreError `ASSET_NOT_FOUND`. */
  async clearAssetState(assetId: number): Promise<void> {
    const scope = await this.assetScope(assetId, { forWrite: true });
    await this.#store.clear(scope);
  }

  // ---- browsing ------------------------------------------------------------------------------------

  /** Dags with their run counts, in dag id order. @throws StateStoreError `INVALID_VALUE` for a bad page. */
  async listDags(request: BrowseRequest = {}): Promise<DagListJson> {
    const page = { ...checkPage(request), search: request.search };
    const { rows, total } = await this.#browse.listDags(page);
    return {
      dags: rows.map((r) => ({ dag_id: r.dagId, dag_run_count: r.dagRunCount })),
      total_entries: total,
    };
  }

  /**
   * A dag's runs, newest first.
   *
   * @throws StateStoreError `DAG_RUN_NOT_FOUND` when the dag has no runs at all; `INVALID_VALUE`.
   */
  async listDagRuns(dagId: string, request: BrowseRequest = {}): Promise<DagRunListJson> {
    const page = { ...checkPage(request), search: request.search };
    if (!(await this.#browse.dagExists(dagId))) {
      throw new StateStoreError(
        "DAG_RUN_NOT_FOUND",
        `dag ${JSON.stringify(dagId)} has no dag runs; GET /api/v2/dags lists the dags`,
        { details: { dag_id: dagId } },
      );
    }
    const { rows, total } = await this.#browse.listDagRuns(dagId, page);
    return {
      dag_runs: rows.map((r) => ({
        dag_id: r.dagId,
        run_id: r.runId,
        created_at: r.createdAt.toISOString(),
      })),
      total_entries: total,
    };
  }

  /**
   * A dag run's task instances ordered by task id, region id and map index, each with its region and
   * its live task state key count (in its region).
   *
   * @throws StateStoreError `DAG_RUN_NOT_FOUND`; `INVALID_VALUE`.
   */
  async listTaskInstances(
    dagId: string,
    runId: string,
    request: BrowseRequest = {},
  ): Promise<TaskInstanceListJson> {
    const page = { ...checkPage(request), search: request.search };
    if (!(await this.#browse.dagRunExists(dagId, runId))) {
      throw new StateStoreError(
        "DAG_RUN_NOT_FOUND",
        `dag run dag_id=${JSON.stringify(dagId)} run_id=${JSON.stringify(runId)} does not exist; GET /api/v2/dags/{dag_id}/dagRuns lists the runs`,
        { details: { dag_id: dagId, run_id: runId } },
      );
    }
    const { rows, total } = await this.#browse.listTaskInstances(
      dagId,
      runId,
      page,
      this.#countInSql ? this.#now() : null,
    );
    const items = await Promise.all(
      rows.map(async (r) => ({
        id: r.id,
        dag_id: r.dagId,
        run_id: r.runId,
        task_id: r.taskId,
        region_id: r.regionId,
        map_index: r.mapIndex,
        state: r.state,
        try_number: r.tryNumber,
        state_key_count:
          r.stateKeyCount ??
          (await this.#store.countKeys(
            taskScope({
              dagId: r.dagId,
              runId: r.runId,
              taskId: r.taskId,
              regionId: r.regionId,
              mapIndex: r.mapIndex,
            }),
          )),
      })),
    );
    return { task_instances: items, total_entries: total };
  }

  /** Assets (active and deactivated) in name order, with state key counts. @throws StateStoreError `INVALID_VALUE`. */
  async listAssets(request: BrowseRequest = {}): Promise<AssetListJson> {
    const page = { ...checkPage(request), search: request.search };
    const { rows, total } = await this.#browse.listAssets(page, this.#countInSql);
    return { assets: await this.#assetSummaries(rows), total_entries: total };
  }

  // ---- internals -----------------------------------------------------------------------------------

  /** A page of live entries, with the number of live keys matching in all. */
  async #list(
    scope: StoreScope,
    page: StatePageRequest,
  ): Promise<{ entries: StateEntry[]; total: number; nextCursor: string | null }> {
    const offset = page.cursor === undefined ? (page.offset ?? 0) : 0;
    const result = await this.#store.list(scope, { ...page, offset });
    // A backend that does not count answers at least what this page shows.
    return {
      entries: result.entries,
      total: result.total ?? offset + result.entries.length,
      nextCursor: result.nextCursor,
    };
  }

  /** An entry with its reference's seal, when it holds a reference and this admin can seal. */
  #sealed<T extends TaskStateEntryJson>(scope: StoreScope, entry: T): T {
    if (this.#seal === undefined || entry.ref === undefined) return entry;
    return { ...entry, ref_seal: this.#seal.seal(scope, entry.key, entry.ref) };
  }

  /**
   * Whether a write restores a reference: only with the seal an export recorded for exactly this scope,
   * key and reference, so operators cannot forge a reference a worker backend would then dereference.
   * A value that is no reference envelope is left to the state store to refuse.
   *
   * @throws StateStoreError `INVALID_KEY` for a bad key (checked first, as for any write); `INVALID_VALUE`
   *   when the seal does not match.
   */
  #restoring(scope: StoreScope, key: string, write: ValueWrite): boolean {
    const seal = write.restoreReference;
    if (seal === undefined) return false;
    const ref = unwrapStateRef(write.value);
    if (ref === undefined) return true;
    validateKey(key);
    if (this.#seal === undefined || !this.#seal.verify(scope, key, ref, seal)) {
      throw new StateStoreError(
        "INVALID_VALUE",
        `the reference seal given for key ${JSON.stringify(key)} does not match its scope, key and reference; only an export of this deployment (same api.secret_key) can restore a reference, and only under the key it was exported from`,
        { details: { field: "restore_reference", key } },
      );
    }
    return true;
  }

  async #assetSummaries(rows: readonly AssetRow[]): Promise<AssetSummaryJson[]> {
    return Promise.all(
      rows.map(async (r) => ({
        id: r.id,
        name: r.name,
        uri: r.uri,
        active: r.active,
        created_at: r.createdAt.toISOString(),
        state_key_count:
          r.stateKeyCount ??
          (await this.#store.countKeys(assetScope({ assetId: r.id, name: r.name, uri: r.uri }))),
      })),
    );
  }
}
