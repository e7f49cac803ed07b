import {
  type AssetScope,
  type AssetStateStoreWriter,
  assetNotDeclared,
  assetNotFound,
  assetNotGranted,
  assetScope,
  type BaseStoreBackend,
  createStateStore,
  dagRunNotFound,
  isStateStoreError,
  type JsonValue,
  type StateStore,
  type StateStoreInstrumentation,
  type TaskScope,
  taskInstanceIdNotFound,
  taskScope,
  type WriteCondition,
  type WriteResult,
} from "@tidemark/state";
import { HttpStatusError } from "../api-error.js";
import type { Precondition } from "../conditional-request.js";
import { assertOwnTaskInstance } from "../execution-auth.js";
import type { ExecutionPrincipal } from "../execution-tokens.js";
import { DAG_RUN_NOT_FOUND_SINCE_VERSION } from "./execution-api-version.js";
import type {
  ExecutionAsset,
  ExecutionMetadata,
  ExecutionReportedState,
  ExecutionTaskInstance,
} from "./execution-metadata.js";

export type { WriteResult } from "@tidemark/state";

/** The options of `state_store` the Execution API applies. */
export interface ExecutionStateSettings {
  /** `state_store.max_value_storage_bytes` (0 = no limit). */
  readonly maxValueStorageBytes: number;
  /** `state_store.default_retention_days`, applied when a PUT sends `expires_at: "default"` (0 = never). */
  readonly defaultRetentionDays: number;
  /** `state_store.clear_on_success`. */
  readonly clearOnSuccess: boolean;
}

/** What {@link ExecutionStateService} is built from. */
export interface ExecutionStateServiceOptions {
  /** The server backend (`state_store.backend`, default MetastoreBackend). */
  readonly backend: BaseStoreBackend;
  /** The task instances and assets that requests address (`createMetastoreExecutionMetadata`). */
  readonly metadata: ExecutionMetadata;
  /** The `state_store` options applied. */
  readonly settings: ExecutionStateSettings;
  /**
   * The handle of the storage `metadata` records task instance states in (the metastore's database).
   * When it is the backend's `storageHandle()`, `metadata.setTaskInstanceState(…, {clearTaskState: true})`
   * clears the rows the backend reads, in the same transaction; otherwise the service clears through the
   * backend after recording the success. Default none.
   */
  readonly metadataStorage?: unknown;
  /** The clock, for expiry and the default retention. Default now. */
  readonly now?: () => Date;
  /** Hooks around every state store operation (metrics, traces). Default none. */
  readonly instrumentation?: StateStoreInstrumentation;
}

/** A stored value and its version (sent as the `ETag`), as the GET routes answer. */
export interface VersionedStateValue {
  /** The value as stored (an offloaded value's reference envelope included). */
  readonly value: JsonValue;
  /** Incremented by every write from 1; null where the backend keeps no versions (then no `ETag`). */
  readonly version: number | null;
}

/** A PUT, parsed: the value, the expiry and the request's precondition. */
export interface StateWrite {
  /** The request body's `value`: any JSON value except a top-level null. */
  readonly value: unknown;
  /**
   * Task state only: an ISO-8601 instant with an offset, `"default"` (now +
   * `state_store.default_retention_days`), or null / undefined (never expires, as in Airflow).
   */
  readonly expiresAt?: string | null;
  /** From `If-Match` / `If-None-Match`; default none. */
  readonly precondition?: Precondition;
  /** The request's served `Airflow-API-Version`; default the newest. */
  readonly apiVersion?: string | null;
}

/**
 * How an Execution API asset route addresses its asset: by name (`/store/asset/by-name`) or by URI
 * (`/store/asset/by-uri`); never by the metastore id, which workers do not know.
 */
export type AssetRouteSelector =
  | {
      /** The asset's name (`name=` of the `/store/asset/by-name` routes). */
      readonly name: string;
    }
  | {
      /** The asset's URI (`uri=` of the `/store/asset/by-uri` routes). */
      readonly uri: string;
    };

/** A request's precondition as the state store's condition, failing as HTTP's 412. */
function conditionOf(precondition: Precondition | undefined): WriteCondition {
  if (precondition?.kind === "match") return { ifMatch: precondition.versions, conditionStyle: "http" };
  if (precondition?.kind === "absent") return { ifAbsent: true, conditionStyle: "http" };
  return {};
}

/**
 * The Execution API's rules, independent of HTTP: who may touch which task instance and asset, writer
 * recording and clear_on_success. Keys, values, the size limit, expiry and compare-and-set go through the
 * state store core. The route plugins are thin wrappers around it. Authorization is checked first, so a
 * request that may not touch a task instance or asset learns nothing else (403 before 422).
 */
export class ExecutionStateService {
  readonly #store: StateStore;
  readonly #metadata: ExecutionMetadata;
  readonly #settings: ExecutionStateSettings;
  readonly #clearsInTransaction: boolean;

  /** @param options - backend, metadata, settings. */
  constructor(options: ExecutionStateServiceOptions) {
    const { backend, settings } = options;
    this.#store = createStateStore(backend, {
      side: "server",
      // Workers write reference envelopes of offloaded values through this API.
      references: "accept",
      maxValueStorageBytes: settings.maxValueStorageBytes,
      defaultRetentionDays: settings.defaultRetentionDays,
      expiresAtField: "body.expires_at",
      ...(options.now === undefined ? {} : { now: options.now }),
      ...(options.instrumentation === undefined ? {} : { instrumentation: options.instrumentation }),
    });
    this.#metadata = options.metadata;
    this.#settings = settings;
    // A backend built against an older contract may lack the hook: then nothing is shared.
    const handle = backend.storageHandle?.() ?? null;
    this.#clearsInTransaction = handle !== null && handle === options.metadataStorage;
  }

  /**
   * The task instance a task token may act on.
   *
   * @throws StateStoreError `FORBIDDEN` for a watcher token or a token of another task instance (checked
   *   before any lookup, so tokens learn nothing about other task instances); `TASK_INSTANCE_NOT_FOUND`.
   */
  async taskInstanceFor(principal: ExecutionPrincipal, tiId: string): Promise<ExecutionTaskInstance> {
    assertOwnTaskInstance(principal, tiId);
    const ti = await this.#metadata.getTaskInstance(tiId);
    if (ti === null) throw taskInstanceIdNotFound(tiId);
    return ti;
  }

  /** Records a reported state; `success` with clear_on_success clears the task state. */
  async reportState(
    principal: ExecutionPrincipal,
    tiId: string,
    state: ExecutionReportedState,
  ): Promise<void> {
    const ti = await this.taskInstanceFor(principal, tiId);
    const clear = state === "success" && this.#settings.clearOnSuccess;
    if (!clear || this.#clearsInTransaction) {
      await this.#metadata.setTaskInstanceState(ti.id, state, { clearTaskState: clear });
      return;
    }
    // The backend keeps the rows elsewhere: record the success, then clear there.
    await this.#metadata.setTaskInstanceState(ti.id, state, { clearTaskState: false });
    await this.#store.clear(this.#scopeOf(ti));
  }

  /**
   * `GET /store/ti/{ti_id}/{key}`.
   *
   * @throws StateStoreError `NOT_FOUND` ("Task state store key 'k' not found") for a missing or expired key.
   */
  async getTaskState(principal: ExecutionPrincipal, tiId: string, key: string): Promise<VersionedStateValue> {
    const ti = await this.taskInstanceFor(principal, tiId);
    const entry = await this.#store.require(this.#scopeOf(ti), key);
    return { value: entry.value, version: entry.version };
  }

  /**
   * `PUT /store/ti/{ti_id}/{key}`.
   *
   * @returns the new version for a conditional write; null for an unconditional one, which stays one
   *   plain backend write (a client that needs the version sends a precondition or reads the key).
   * @throws StateStoreError `PRECONDITION_FAILED` when the precondition fails; `DAG_RUN_NOT_FOUND` (404 from
   *   API version 2026-10-30, 500 before, as Airflow); `INVALID_VALUE` for a bad `expires_at`.
   */
  async setTaskState(
    principal: ExecutionPrincipal,
    tiId: string,
    key: string,
    write: StateWrite,
  ): Promise<WriteResult> {
    const ti = await this.taskInstanceFor(principal, tiId);
    try {
      return await this.#store.set(this.#scopeOf(ti), key, write.value, {
        ...conditionOf(write.precondition),
        expiresAt: write.expiresAt ?? null,
      });
    } catch (error) {
      if (!isStateStoreError(error, "DAG_RUN_NOT_FOUND")) throw error;
      const missing = dagRunNotFound(ti.dagId, ti.runId);
      const newEnough =
        (write.apiVersion ?? DAG_RUN_NOT_FOUND_SINCE_VERSION) >= DAG_RUN_NOT_FOUND_SINCE_VERSION;
      if (newEnough) throw missing;
      // Before 2026-10-30 Airflow let the error escape as a 500.
      throw new HttpStatusError(missing.code, missing.message, 500, {
        cause: error,
        details: missing.details,
      });
    }
  }

  /** `DELETE /store/ti/{ti_id}/{key}`; with a precondition, a compare-and-delete. */
  async deleteTaskState(
    principal: ExecutionPrincipal,
    tiId: string,
    key: string,
    precondition?: Precondition,
  ): Promise<void> {
    const ti = await this.taskInstanceFor(principal, tiId);
    await this.#store.delete(this.#scopeOf(ti), key, conditionOf(precondition));
  }

  /** `DELETE /store/ti/{ti_id}`: the task instance's own map index only. */
  async clearTaskState(principal: ExecutionPrincipal, tiId: string): Promise<void> {
    const ti = await this.taskInstanceFor(principal, tiId);
    await this.#store.clear(this.#scopeOf(ti), { allMapIndices: false });
  }

  /**
   * The active asset a request may touch, with the writer to record.
   *
   * @throws StateStoreError `ASSET_NOT_FOUND` for an unknown or deactivated asset; `FORBIDDEN` when a task
   *   instance did not declare it as an inlet or outlet, or a watcher token does not list it;
   *   `TASK_INSTANCE_NOT_FOUND` when the token's task instance is gone.
   */
  async assetFor(
    principal: ExecutionPrincipal,
    selector: AssetRouteSelector,
  ): Promise<{
    /** The asset. */
    asset: ExecutionAsset;
    /** Its state scope. */
    scope: AssetScope;
    /** The writer its writes record: the token's task instance, or `{kind: "watcher"}`. */
    writer: AssetStateStoreWriter;
  }> {
    const asset = await this.#metadata.findActiveAsset(selector);
    if (asset === null) throw assetNotFound(selector);
    const scope = assetScope({ assetId: asset.id, name: asset.name, uri: asset.uri });
    if (principal.kind === "watcher") {
      const granted = principal.assets.some(
        (g) =>
          (g.name !== undefined && g.name === asset.name) || (g.uri !== undefined && g.uri === asset.uri),
      );
      if (!granted) throw assetNotGranted(principal.watcherId, asset.name);
      return { asset, scope, writer: { kind: "watcher" } };
    }
    const ti = await this.#metadata.getTaskInstance(principal.taskInstanceId);
    // Airflow's asset routes render the token's id with Python's repr of a UUID.
    if (ti === null) throw taskInstanceIdNotFound(principal.taskInstanceId, "uuid");
    const declared = [...ti.inlets, ...ti.outlets];
    if (!declared.some((a) => a.id === asset.id)) {
      throw assetNotDeclared(
        asset.name,
        ti.id,
        declared.map((a) => a.name),
      );
    }
    const writer: AssetStateStoreWriter = {
      kind: "task",
      dagId: ti.dagId,
      runId: ti.runId,
      taskId: ti.taskId,
      mapIndex: ti.mapIndex,
    };
    return { asset, scope, writer };
  }

  /**
   * `GET /store/asset/by-*\/value`.
   *
   * @throws StateStoreError `NOT_FOUND` ("Asset state store key 'k' not found") for a missing key.
   */
  async getAssetState(
    principal: ExecutionPrincipal,
    selector: AssetRouteSelector,
    key: string,
  ): Promise<VersionedStateValue> {
    const { scope } = await this.assetFor(principal, selector);
    const entry = await this.#store.require(scope, key);
    return { value: entry.value, version: entry.version };
  }

  /**
   * `PUT /store/asset/by-*\/value`: records the writer.
   *
   * @returns the new version for a conditional write, else null.
   * @throws StateStoreError `PRECONDITION_FAILED` when the precondition fails.
   */
  async setAssetState(
    principal: ExecutionPrincipal,
    selector: AssetRouteSelector,
    key: string,
    write: StateWrite,
  ): Promise<WriteResult> {
    const { scope, writer } = await this.assetFor(principal, selector);
    return this.#store.set(scope, key, write.value, { ...conditionOf(write.precondition), writer });
  }

  /** `DELETE /store/asset/by-*\/value`; with a precondition, a compare-and-delete. */
  async deleteAssetState(
    principal: ExecutionPrincipal,
    selector: AssetRouteSelector,
    key: string,
    precondition?: Precondition,
  ): Promise<void> {
    const { scope } = await this.assetFor(principal, selector);
    await this.#store.delete(scope, key, conditionOf(precondition));
  }

  /** `DELETE /store/asset/by-*\/clear`. */
  async clearAssetState(principal: ExecutionPrincipal, selector: AssetRouteSelector): Promise<void> {
    const { scope } = await this.assetFor(principal, selector);
    await this.#store.clear(scope);
  }

  #scopeOf(ti: ExecutionTaskInstance): TaskScope {
    return taskScope({
      dagId: ti.dagId,
      runId: ti.runId,
      taskId: ti.taskId,
      mapIndex: ti.mapIndex,
      ...(ti.regionId === undefined ? {} : { regionId: ti.regionId }),
    });
  }
}
