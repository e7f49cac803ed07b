import {
  type AssetScope,
  assetScope,
  type BaseStoreBackend,
  encodeValue,
  isStateStoreError,
  STATE_REF_KEY,
  StateStoreError,
  type StoreEntry,
  type StoreScope,
  type TaskScope,
  taskScope,
  unwrapStateRef,
  validateKey,
} from "@tidemark/state";
import { pythonRepr } from "@tidemark/state";
import type { TidemarkDatabase } from "../database/tidemark-database.js";
import { MetastoreBackend } from "../metastore/metastore-backend.js";
import { type AssetRow, BrowseQueries } from "./browse-queries.js";
import { resolveExpiresAt } from "./expires-at.js";
import { checkPage } from "./page-request.js";
import type { ReferenceSeal } from "./reference-seal.js";
import { assetStateEntryJson, taskStateEntryJson } from "./state-entry-json.js";
import type {
  AssetLookup,
  AssetStateWrite,
  BrowseRequest,
  DeleteCondition,
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
  readonly settings: StateAdminSettings;
  /** The clock deciding expiry and the default retention. Default `() => new Date()`. */
  readonly now?: () => Date;
  /**
   * Seals references on reads (`ref_seal`) and checks the seal of a restored one. Without it no reference
   * can be restored through this admin.
   */
  readonly referenceSeal?: ReferenceSeal;
}

function conditionOf(write: ValueWrite): { ifVersion?: number; ifAbsent?: boolean } {
  return {
    ...(write.ifVersion === undefined ? {} : { ifVersion: write.ifVersion }),
    ...(write.ifAbsent === true ? { ifAbsent: true } : {}),
  };
}

/** Tries of a PATCH without `if_version` before it gives up on a key other writers keep changing. */
const PATCH_ATTEMPTS = 5;

function taskScopeOf(target: TaskTarget): TaskScope {
  return taskScope({
    dagId: target.dagId,
    runId: target.runId,
    taskId: target.taskId,
    mapIndex: target.mapIndex ?? -1,
    ...(target.regionId === undefined ? {} : { regionId: target.regionId }),
  });
}

/** Airflow's Core API 404 detail for a task instance, `map_index=N` or `all_map_indices=True`. */
function taskInstanceNotFound(scope: TaskScope, allMapIndices: boolean): string {
  const addressedBy = allMapIndices ? "all_map_indices=True" : `map_index=${scope.mapIndex}`;
  return `Task instance not found for dag_id=${pythonRepr(scope.dagId)}, run_id=${pythonRepr(scope.runId)}, task_id=${pythonRepr(scope.taskId)}, ${addressedBy}`;
}

/**
 * Refuses a value that looks like a reference envelope unless the caller restores one with the seal an
 * export recorded for exactly this scope, key and reference: operators cannot forge a reference a worker
 * backend would then dereference.
 */
function checkReference(
  seal: ReferenceSeal | undefined,
  scope: StoreScope,
  key: string,
  value: unknown,
  restoreReference: string | undefined,
): void {
  const isObject = typeof value === "object" && value !== null && !Array.isArray(value);
  const marked = isObject && Object.hasOwn(value, STATE_REF_KEY);
  if (restoreReference !== undefined) {
    const ref = unwrapStateRef(value);
    if (ref === undefined) {
      throw new StateStoreError(
        "INVALID_VALUE",
        `value of key ${JSON.stringify(key)} is restored as a reference but is not a reference envelope {"${STATE_REF_KEY}": "<ref>"}; restore it as a plain value instead`,
        { details: { field: "value", key } },
      );
    }
    if (seal === undefined || !seal.verify(scope, key, ref, restoreReference)) {
      throw new StateStoreError(
        "INVALID_VALUE",
        `the reference seal given for key ${JSON.stringify(key)} does not match its scope, key and reference; only an export of this deployment (same api.secret_key) can restore a reference, and only under the key it was exported from`,
        { details: { field: "restore_reference", key } },
      );
    }
    return;
  }
  if (!marked) return;
  throw new StateStoreError(
    "INVALID_VALUE",
    `value of key ${JSON.stringify(key)} holds the reserved member "${STATE_REF_KEY}", which marks a reference to offloaded state that only workers write; to store such data, wrap it, for example {"data": <value>}`,
    { details: { field: "value", key, reserved: STATE_REF_KEY } },
  );
}

function describeSelector(selector: AssetLookup): string {
  if ("id" in selector) return `id ${selector.id}`;
  return "name" in selector ? `name ${JSON.stringify(selector.name)}` : `uri ${JSON.stringify(selector.uri)}`;
}

/**
 * The Core REST API's rules, independent of HTTP; the `/api/v2` routes are thin wrappers around it and the
 * CLI's direct mode calls it on the configured database. One truth with the Execution API:
 *
 * - state goes through the configured server backend (`state_store.backend`, default MetastoreBackend);
 *   a backend without `capabilities.listKeys` answers listings with `NOT_SUPPORTED` (501);
 * - keys are checked with `validateKey` and values with `encodeValue` at
 *   `state_store.max_value_storage_bytes` (413 `VALUE_TOO_LARGE` over it), as on the Execution API;
 * - expired keys are never listed or returned (the backend filters them; entries a backend still returns
 *   past their `expires_at` are dropped here too);
 * - an unknown dag run, task instance or asset is a 404 on every operation, DELETE included (the
 *   reference answered 204 to typos for a while); writes (PUT, PATCH, DELETE, clear) to a deactivated
 *   asset are 404 too, since its state is read-only until the orphan sweep removes it;
 * - asset state written here records the writer `{kind: "api"}`.
 */
export class StateAdmin implements StateStoreAccess {
  readonly #database: TidemarkDatabase;
  readonly #backend: BaseStoreBackend;
  readonly #settings: StateAdminSettings;
  readonly #now: () => Date;
  readonly #seal: ReferenceSeal | undefined;
  readonly #browse: BrowseQueries;
  /** The backend keeps its rows in this metastore, so key counts can be one SQL subquery. */
  readonly #countInSql: boolean;

  /** @param options - the metastore, the server backend, the settings, the clock. */
  constructor(options: StateAdminOptions) {
    this.#database = options.database;
    this.#backend = options.backend;
    this.#settings = options.settings;
    this.#now = options.now ?? (() => new Date());
    this.#seal = options.referenceSeal;
    this.#browse = new BrowseQueries(options.database);
    this.#countInSql =
      options.backend instanceof MetastoreBackend && options.backend.database === options.database;
  }

  /** The server backend state goes through. */
  get backend(): BaseStoreBackend {
    return this.#backend;
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
    const details = {
      dag_id: scope.dagId,
      run_id: scope.runId,
      task_id: scope.taskId,
      ...(all ? { all_map_indices: true } : { map_index: scope.mapIndex }),
    };
    if (!found.dagRunExists) {
      throw new StateStoreError("DAG_RUN_NOT_FOUND", taskInstanceNotFound(scope, all), { details });
    }
    if (all ? !found.anyMapIndexExists : found.taskInstanceId === null) {
      throw new StateStoreError("TASK_INSTANCE_NOT_FOUND", taskInstanceNotFound(scope, all), { details });
    }
    return scope;
  }

  /**
   * Lists a task instance's live keys in key order.
   *
   * @throws StateStoreError as {@link taskScope}; `INVALID_VALUE` for a bad page; `NOT_SUPPORTED` when the
   *   server backend cannot list keys.
   */
  async listTaskState(target: TaskTarget, page: StatePageRequest = {}): Promise<TaskStateListJson> {
    const request = this.#statePage(page);
    const scope = await this.taskScope(target);
    const { entries, total } = await this.#list(scope, request);
    return {
      task_state_store: entries.map((e) => this.#sealed(scope, taskStateEntryJson(e))),
      total_entries: total,
    };
  }

  /**
   * Reads one task state key.
   *
   * @throws StateStoreError as {@link taskScope}; `INVALID_KEY`; `NOT_FOUND` for a missing or expired key.
   */
  async getTaskState(target: TaskTarget, key: string): Promise<TaskStateEntryJson> {
    const scope = await this.taskScope(target);
    validateKey(key);
    return this.#sealed(scope, taskStateEntryJson(await this.#require(scope, key)));
  }

  /**
   * Writes a task state key (PUT): value, expiry (`"default"`, null or ISO-8601 with an offset) and an
   * optional `ifVersion`.
   *
   * @returns the entry as stored.
   * @throws StateStoreError as {@link taskScope}; `INVALID_KEY`; `INVALID_VALUE` for a bad value or
   *   expiry; `VALUE_TOO_LARGE`; `CONFLICT` when `ifVersion` does not match.
   */
  async putTaskState(target: TaskTarget, key: string, write: TaskStateWrite): Promise<TaskStateEntryJson> {
    const scope = await this.taskScope(target);
    validateKey(key);
    checkReference(this.#seal, scope, key, write.value, write.restoreReference);
    const text = this.#encode(key, write.value);
    const expiresAt = resolveExpiresAt(write.expiresAt, {
      defaultRetentionDays: this.#settings.defaultRetentionDays,
      now: this.#now(),
    });
    await this.#backend.set(scope, key, text, { expiresAt, ...conditionOf(write) });
    return this.#sealed(scope, taskStateEntryJson(await this.#readBack(scope, key)));
  }

  /**
   * Replaces the value of an existing task state key (PATCH), keeping its `expires_at`.
   *
   * @throws StateStoreError as {@link putTaskState}; `NOT_FOUND` when the key is missing or expired.
   */
  async patchTaskState(target: TaskTarget, key: string, write: ValueWrite): Promise<TaskStateEntryJson> {
    const scope = await this.taskScope(target);
    validateKey(key);
    checkReference(this.#seal, scope, key, write.value, write.restoreReference);
    const text = this.#encode(key, write.value);
    await this.#patch(scope, key, text, write, (current) => ({ expiresAt: current.expiresAt }));
    return this.#sealed(scope, taskStateEntryJson(await this.#readBack(scope, key)));
  }

  /**
   * Deletes a task state key; a missing key of an existing task instance is not an error.
   *
   * @param condition - `ifVersion`: delete only the live value at that version, in one backend statement;
   *   `ifAbsent`: succeed only when no live value exists (then nothing is deleted).
   * @throws StateStoreError as {@link taskScope}; `INVALID_KEY`; `CONFLICT` when the condition does not
   *   hold; `NOT_SUPPORTED` for `ifVersion` on a backend without compare-and-set.
   */
  async deleteTaskState(target: TaskTarget, key: string, condition: DeleteCondition = {}): Promise<void> {
    const scope = await this.taskScope(target);
    validateKey(key);
    await this.#delete(scope, key, condition);
  }

  async #delete(scope: StoreScope, key: string, condition: DeleteCondition): Promise<void> {
    if (condition.ifAbsent === true) {
      if ((await this.#entry(scope, key)) !== null) {
        throw new StateStoreError("CONFLICT", `key ${pythonRepr(key)} has a live value`);
      }
      return;
    }
    await this.#backend.delete(
      scope,
      key,
      condition.ifVersion === undefined ? {} : { ifVersion: condition.ifVersion },
    );
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
    await this.#backend.clear(scope, { allMapIndices: all });
  }

  // ---- asset state ---------------------------------------------------------------------------------

  /**
   * Finds an asset (active or deactivated) with its state key count.
   *
   * @throws StateStoreError `ASSET_NOT_FOUND`.
   */
  async findAsset(selector: AssetLookup): Promise<AssetSummaryJson> {
    const row = await this.#browse.getAsset(selector, this.#countInSql);
    if (row === null) {
      throw new StateStoreError(
        "ASSET_NOT_FOUND",
        `no asset with ${describeSelector(selector)} is registered; GET /api/v2/assets lists the assets (register one with tidemark assets register --name …)`,
        { details: { ...selector } },
      );
    }
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
    if (row === null) {
      throw new StateStoreError("ASSET_NOT_FOUND", `Asset with id ${pythonRepr(assetId)} not found`, {
        details: { asset_id: assetId },
      });
    }
    if (options.forWrite && !row.active) {
      throw new StateStoreError(
        "ASSET_NOT_FOUND",
        `asset ${JSON.stringify(row.name)} (id ${assetId}) is deactivated: its state is read-only and goes in the next cleanup; register the asset again to write its state`,
        { details: { asset_id: assetId, active: false } },
      );
    }
    return assetScope({ assetId: row.id, name: row.name, uri: row.uri });
  }

  /** Lists an asset's keys in key order. @throws StateStoreError as {@link listTaskState}. */
  async listAssetState(assetId: number, page: StatePageRequest = {}): Promise<AssetStateListJson> {
    const request = this.#statePage(page);
    const scope = await this.assetScope(assetId);
    const { entries, total } = await this.#list(scope, request);
    return {
      asset_state_store: entries.map((e) => this.#sealed(scope, assetStateEntryJson(e))),
      total_entries: total,
    };
  }

  /** Reads one asset state key. @throws StateStoreError `ASSET_NOT_FOUND`, `INVALID_KEY`, `NOT_FOUND`. */
  async getAssetState(assetId: number, key: string): Promise<AssetStateEntryJson> {
    const scope = await this.assetScope(assetId);
    validateKey(key);
    return this.#sealed(scope, assetStateEntryJson(await this.#require(scope, key)));
  }

  /**
   * Writes an asset state key (PUT), recording the writer `{kind: "api"}` (or `write.writer`).
   *
   * @throws StateStoreError `ASSET_NOT_FOUND` (also for a deactivated asset); `INVALID_KEY`;
   *   `INVALID_VALUE`; `VALUE_TOO_LARGE`; `CONFLICT`.
   */
  async putAssetState(assetId: number, key: string, write: AssetStateWrite): Promise<AssetStateEntryJson> {
    const scope = await this.assetScope(assetId, { forWrite: true });
    validateKey(key);
    checkReference(this.#seal, scope, key, write.value, write.restoreReference);
    const text = this.#encode(key, write.value);
    await this.#backend.set(scope, key, text, {
      writer: write.writer ?? { kind: "api" },
      ...conditionOf(write),
    });
    return this.#sealed(scope, assetStateEntryJson(await this.#readBack(scope, key)));
  }

  /**
   * Replaces the value of an existing asset state key (PATCH), recording the writer `{kind: "api"}`.
   *
   * @throws StateStoreError as {@link putAssetState}; `NOT_FOUND` when the key is missing.
   */
  async patchAssetState(assetId: number, key: string, write: ValueWrite): Promise<AssetStateEntryJson> {
    const scope = await this.assetScope(assetId, { forWrite: true });
    validateKey(key);
    checkReference(this.#seal, scope, key, write.value, write.restoreReference);
    const text = this.#encode(key, write.value);
    await this.#patch(scope, key, text, write, () => ({ writer: { kind: "api" } }));
    return this.#sealed(scope, assetStateEntryJson(await this.#readBack(scope, key)));
  }

  /**
   * Deletes an asset state key, under `condition` as {@link deleteTaskState}.
   *
   * @throws StateStoreError `ASSET_NOT_FOUND`, `INVALID_KEY`; `CONFLICT` when the condition does not hold.
   */
  async deleteAssetState(assetId: number, key: string, condition: DeleteCondition = {}): Promise<void> {
    const scope = await this.assetScope(assetId, { forWrite: true });
    validateKey(key);
    await this.#delete(scope, key, condition);
  }

  /** Deletes every key of an asset. @throws StateStoreError `ASSET_NOT_FOUND`. */
  async clearAssetState(assetId: number): Promise<void> {
    const scope = await this.assetScope(assetId, { forWrite: true });
    await this.#backend.clear(scope);
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
          (await this.#countKeys(
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

  #statePage(page: StatePageRequest): { limit: number; offset: number; prefix: string } {
    const { limit, offset } = checkPage(page);
    const prefix = page.prefix ?? "";
    if (typeof prefix !== "string") {
      throw new StateStoreError("INVALID_VALUE", "prefix must be a string", { details: { field: "prefix" } });
    }
    return { limit, offset, prefix };
  }

  #encode(key: string, value: unknown): string {
    return encodeValue(value, {
      maxBytes: this.#settings.maxValueStorageBytes,
      label: `value of key ${JSON.stringify(key)}`,
    });
  }

  #expired(entry: StoreEntry): boolean {
    return entry.expiresAt !== null && entry.expiresAt.getTime() <= this.#now().getTime();
  }

  async #list(scope: StoreScope, page: { limit: number; offset: number; prefix: string }) {
    if (!this.#backend.capabilities.listKeys) {
      throw new StateStoreError(
        "NOT_SUPPORTED",
        `the configured server backend ${this.#backend.name} (state_store.backend) cannot list keys, so state cannot be listed; read single keys by name, or configure a backend that lists keys (the built-in MetastoreBackend does)`,
        { details: { operation: "list", backend: this.#backend.name } },
      );
    }
    const result = await this.#backend.list(scope, page);
    const live = result.entries.filter((e) => !this.#expired(e));
    return { entries: live, total: result.total - (result.entries.length - live.length) };
  }

  /** An entry with its reference's seal, when it holds a reference and this admin can seal. */
  #sealed<T extends TaskStateEntryJson>(scope: StoreScope, entry: T): T {
    if (this.#seal === undefined || entry.ref === undefined) return entry;
    return { ...entry, ref_seal: this.#seal.seal(scope, entry.key, entry.ref) };
  }

  async #entry(scope: StoreScope, key: string): Promise<StoreEntry | null> {
    const entry = await this.#backend.getEntry(scope, key);
    return entry === null || this.#expired(entry) ? null : entry;
  }

  async #require(scope: StoreScope, key: string): Promise<StoreEntry> {
    const entry = await this.#entry(scope, key);
    if (entry === null) {
      const store = scope.kind === "task" ? "Task state store" : "Asset state store";
      throw new StateStoreError("NOT_FOUND", `${store} key ${pythonRepr(key)} not found`, {
        details: { key },
      });
    }
    return entry;
  }

  /** The entry right after a write; a writer that deleted it in between makes this a conflict. */
  async #readBack(scope: StoreScope, key: string): Promise<StoreEntry> {
    const entry = await this.#entry(scope, key);
    if (entry === null) {
      throw new StateStoreError(
        "CONFLICT",
        `key ${JSON.stringify(key)} was written, then deleted by another writer before it could be read back; read it again`,
        { details: { key } },
      );
    }
    return entry;
  }

  /**
   * Rewrites an existing key. Without `ifVersion` the write is conditioned on the version just read (when
   * the backend can compare-and-set), so a key deleted or rewritten meanwhile is never resurrected with
   * stale metadata; it retries a few times, then answers `CONFLICT`.
   */
  async #patch(
    scope: StoreScope,
    key: string,
    text: string,
    write: ValueWrite,
    keep: (current: StoreEntry) => { expiresAt?: Date | null; writer?: { kind: "api" } },
  ): Promise<void> {
    const cas = this.#backend.capabilities.compareAndSet;
    const ifVersion = write.ifVersion;
    for (let attempt = 1; ; attempt++) {
      const current = await this.#require(scope, key);
      if (write.ifAbsent === true) {
        throw new StateStoreError("CONFLICT", `key ${JSON.stringify(key)} has a live value`, {
          details: { key, version: current.version },
        });
      }
      const expected = ifVersion ?? (cas && current.version !== null ? current.version : undefined);
      try {
        await this.#backend.set(scope, key, text, {
          ...keep(current),
          ...(expected === undefined ? {} : { ifVersion: expected }),
        });
        return;
      } catch (error) {
        const retry = ifVersion === undefined && isStateStoreError(error) && error.code === "CONFLICT";
        if (!retry || attempt >= PATCH_ATTEMPTS) throw error;
      }
    }
  }

  async #countKeys(scope: StoreScope): Promise<number> {
    if (!this.#backend.capabilities.listKeys) return 0;
    return (await this.#backend.list(scope, { limit: 1 })).total;
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
          r.stateKeyCount ?? (await this.#countKeys(assetScope({ assetId: r.id, name: r.name, uri: r.uri }))),
      })),
    );
  }
}
