import {
  type AssetScope,
  type AssetStateStoreWriter,
  assetScope,
  type BaseStoreBackend,
  decodeValue,
  encodeValue,
  isStateStoreError,
  type JsonValue,
  type SetOptions,
  StateStoreError,
  type StoreScope,
  type TaskScope,
  taskScope,
  validateKey,
} from "@tidemark/state";
import { HttpStatusError } from "../api-error.js";
import type { Precondition } from "../conditional-request.js";
import { assertOwnTaskInstance } from "../execution-auth.js";
import type { ExecutionPrincipal } from "../execution-tokens.js";
import { pythonRepr } from "@tidemark/state";
import { DAG_RUN_NOT_FOUND_SINCE_VERSION } from "./execution-api-version.js";
import type {
  ExecutionAsset,
  ExecutionMetadata,
  ExecutionReportedState,
  ExecutionTaskInstance,
} from "./execution-metadata.js";

const DAY_MS = 86_400_000;

/** The options of `state_store` the Execution API applies. */
export interface ExecutionStateSettings {
  /** `state_store.max_value_storage_bytes` (0 = no limit). */
  readonly maxValueStorageBytes: number;
  /** `state_store.default_retention_days`, applied when a PUT omits `expires_at` (0 = never). */
  readonly defaultRetentionDays: number;
  /** `state_store.clear_on_success`. */
  readonly clearOnSuccess: boolean;
}

/** What {@link ExecutionStateService} is built from. */
export interface ExecutionStateServiceOptions {
  /** The server backend (`state_store.backend`, default MetastoreBackend). */
  readonly backend: BaseStoreBackend;
  readonly metadata: ExecutionMetadata;
  readonly settings: ExecutionStateSettings;
  /**
   * Whether `metadata.setTaskInstanceState(…, {clearTaskState: true})` clears the rows `backend` reads (the
   * backend is the MetastoreBackend of the same database). Otherwise the service clears through
   * `backend.clear` after recording the success.
   */
  readonly backendIsMetastore: boolean;
  /** The clock, for the default retention. Default now. */
  readonly now?: () => Date;
}

/** An `If-Match` precondition as its header reads, for messages. */
function describeMatch(versions: readonly number[] | "*"): string {
  return `If-Match: ${versions === "*" ? "*" : versions.map((v) => `"${v}"`).join(", ")}`;
}

/** A stored value and its version (sent as the `ETag`), as the GET routes answer. */
export interface VersionedStateValue {
  readonly value: JsonValue;
  readonly version: number | null;
}

/** A PUT, parsed: the value, the expiry and the request's precondition. */
export interface StateWrite {
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

/** What a write produced: the new version (for the `ETag`), null when the backend keeps none. */
export interface WriteResult {
  readonly version: number | null;
}

/** How an asset route addresses its asset. */
export type AssetSelector = { readonly name: string } | { readonly uri: string };

function describeSelector(selector: AssetSelector): string {
  return "name" in selector ? `name=${pythonRepr(selector.name)}` : `uri=${pythonRepr(selector.uri)}`;
}

/**
 * The Execution API's rules, independent of HTTP: who may touch which task instance and asset, key and
 * value validation with the size limit on every write, expiry, compare-and-set, writer recording and
 * clear_on_success. The route plugins are thin wrappers around it. Authorization is checked first, so a
 * request that may not touch a task instance or asset learns nothing else (403 before 422).
 */
export class ExecutionStateService {
  readonly #backend: BaseStoreBackend;
  readonly #metadata: ExecutionMetadata;
  readonly #settings: ExecutionStateSettings;
  readonly #backendIsMetastore: boolean;
  readonly #now: () => Date;

  /** @param options - backend, metadata, settings. */
  constructor(options: ExecutionStateServiceOptions) {
    this.#backend = options.backend;
    this.#metadata = options.metadata;
    this.#settings = options.settings;
    this.#backendIsMetastore = options.backendIsMetastore;
    this.#now = options.now ?? (() => new Date());
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
    if (ti === null) {
      throw new StateStoreError("TASK_INSTANCE_NOT_FOUND", `Task instance ${tiId} not found`, {
        details: { ti_id: tiId },
      });
    }
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
    if (!clear || this.#backendIsMetastore) {
      await this.#metadata.setTaskInstanceState(ti.id, state, { clearTaskState: clear });
      return;
    }
    // A custom server backend keeps the rows elsewhere: record the success, then clear there.
    await this.#metadata.setTaskInstanceState(ti.id, state, { clearTaskState: false });
    await this.#backend.clear(this.#scopeOf(ti));
  }

  /**
   * `GET /store/ti/{ti_id}/{key}`.
   *
   * @throws StateStoreError `NOT_FOUND` ("Task state store key 'k' not found") for a missing or expired key.
   */
  async getTaskState(principal: ExecutionPrincipal, tiId: string, key: string): Promise<VersionedStateValue> {
    const ti = await this.taskInstanceFor(principal, tiId);
    validateKey(key);
    return this.#read(this.#scopeOf(ti), key, "Task state store");
  }

  /**
   * `PUT /store/ti/{ti_id}/{key}`.
   *
   * @returns the new version.
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
    validateKey(key);
    const text = this.#encode(key, write.value);
    const expiresAt = this.#expiresAt(write.expiresAt);
    try {
      return await this.#write(this.#scopeOf(ti), key, text, { expiresAt }, write.precondition);
    } catch (error) {
      if (!isStateStoreError(error, "DAG_RUN_NOT_FOUND")) throw error;
      const newEnough =
        (write.apiVersion ?? DAG_RUN_NOT_FOUND_SINCE_VERSION) >= DAG_RUN_NOT_FOUND_SINCE_VERSION;
      const message = `DagRun with dag_id=${ti.dagId} and run_id=${ti.runId} not found`;
      // Before 2026-10-30 Airflow let the error escape as a 500.
      throw newEnough
        ? new StateStoreError("DAG_RUN_NOT_FOUND", message, { cause: error })
        : new HttpStatusError("DAG_RUN_NOT_FOUND", message, 500, { cause: error });
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
    validateKey(key);
    await this.#delete(this.#scopeOf(ti), key, precondition);
  }

  /** `DELETE /store/ti/{ti_id}`: the task instance's own map index only. */
  async clearTaskState(principal: ExecutionPrincipal, tiId: string): Promise<void> {
    const ti = await this.taskInstanceFor(principal, tiId);
    await this.#backend.clear(this.#scopeOf(ti), { allMapIndices: false });
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
    selector: AssetSelector,
  ): Promise<{ asset: ExecutionAsset; scope: AssetScope; writer: AssetStateStoreWriter }> {
    const asset = await this.#metadata.findActiveAsset(selector);
    if (asset === null) {
      throw new StateStoreError("ASSET_NOT_FOUND", `Asset with ${describeSelector(selector)} not found`, {
        details: { hint: "the asset was never registered or has been deactivated" },
      });
    }
    const scope = assetScope({ assetId: asset.id, name: asset.name, uri: asset.uri });
    if (principal.kind === "watcher") {
      const granted = principal.assets.some(
        (g) =>
          (g.name !== undefined && g.name === asset.name) || (g.uri !== undefined && g.uri === asset.uri),
      );
      if (!granted) {
        throw new StateStoreError(
          "FORBIDDEN",
          `the watcher token ${JSON.stringify(principal.watcherId)} does not grant asset ${JSON.stringify(asset.name)}`,
        );
      }
      return { asset, scope, writer: { kind: "watcher" } };
    }
    const ti = await this.#metadata.getTaskInstance(principal.taskInstanceId);
    if (ti === null) {
      // Airflow's asset routes render the token's id with Python's repr of a UUID.
      throw new StateStoreError(
        "TASK_INSTANCE_NOT_FOUND",
        `Task instance UUID(${pythonRepr(principal.taskInstanceId)}) not found`,
      );
    }
    if (![...ti.inlets, ...ti.outlets].some((a) => a.id === asset.id)) {
      const declared = [...new Set([...ti.inlets, ...ti.outlets].map((a) => JSON.stringify(a.name)))].sort();
      throw new StateStoreError(
        "FORBIDDEN",
        `asset ${JSON.stringify(asset.name)} is not an inlet or outlet of task instance ${ti.id} (declared: ${declared.join(", ") || "none"}); declare it in the task's inlets or outlets`,
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
    selector: AssetSelector,
    key: string,
  ): Promise<VersionedStateValue> {
    const { scope } = await this.assetFor(principal, selector);
    validateKey(key);
    return this.#read(scope, key, "Asset state store");
  }

  /**
   * `PUT /store/asset/by-*\/value`: records the writer.
   *
   * @returns the new version.
   * @throws StateStoreError `PRECONDITION_FAILED` when the precondition fails.
   */
  async setAssetState(
    principal: ExecutionPrincipal,
    selector: AssetSelector,
    key: string,
    write: StateWrite,
  ): Promise<WriteResult> {
    const { scope, writer } = await this.assetFor(principal, selector);
    validateKey(key);
    const text = this.#encode(key, write.value);
    return this.#write(scope, key, text, { writer }, write.precondition);
  }

  /** `DELETE /store/asset/by-*\/value`; with a precondition, a compare-and-delete. */
  async deleteAssetState(
    principal: ExecutionPrincipal,
    selector: AssetSelector,
    key: string,
    precondition?: Precondition,
  ): Promise<void> {
    const { scope } = await this.assetFor(principal, selector);
    validateKey(key);
    await this.#delete(scope, key, precondition);
  }

  /** `DELETE /store/asset/by-*\/clear`. */
  async clearAssetState(principal: ExecutionPrincipal, selector: AssetSelector): Promise<void> {
    const { scope } = await this.assetFor(principal, selector);
    await this.#backend.clear(scope);
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

  async #read(scope: TaskScope | AssetScope, key: string, store: string): Promise<VersionedStateValue> {
    const entry = await this.#backend.getEntry(scope, key);
    if (entry === null) {
      throw new StateStoreError("NOT_FOUND", `${store} key ${pythonRepr(key)} not found`, {
        details: { key },
      });
    }
    return { value: decodeValue(entry.value), version: entry.version };
  }

  #encode(key: string, value: unknown): string {
    return encodeValue(value, {
      maxBytes: this.#settings.maxValueStorageBytes,
      label: `value of key ${JSON.stringify(key)}`,
    });
  }

  #expiresAt(text: string | null | undefined): Date | null {
    if (text === null || text === undefined) return null;
    if (text === "default") {
      const days = this.#settings.defaultRetentionDays;
      return days <= 0 ? null : new Date(this.#now().getTime() + days * DAY_MS);
    }
    const date = new Date(text);
    if (
      !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/i.test(text) ||
      Number.isNaN(date.getTime())
    ) {
      throw new StateStoreError(
        "INVALID_VALUE",
        `body.expires_at ${JSON.stringify(text)} is not an ISO-8601 date-time with an offset; send for example "2026-06-01T00:00:00Z", "default" for state_store.default_retention_days, or null to never expire`,
        { details: { field: "expires_at" } },
      );
    }
    return date;
  }

  #requireCompareAndSet(): void {
    if (!this.#backend.capabilities.compareAndSet) {
      throw new StateStoreError(
        "NOT_SUPPORTED",
        `the server backend ${this.#backend.name} has no compare-and-set, so If-Match / If-None-Match cannot be honoured (the server does not advertise conditional-requests); send the request without them`,
      );
    }
  }

  /** A failed precondition, with the current version for the 412's `ETag`. */
  async #preconditionFailed(scope: StoreScope, key: string, what: string): Promise<StateStoreError> {
    const current = await this.#backend.getEntry(scope, key);
    return new StateStoreError(
      "PRECONDITION_FAILED",
      current === null
        ? `key ${pythonRepr(key)} has no live value, so ${what} does not hold; read it again, or use If-None-Match: * to create it`
        : `key ${pythonRepr(key)} is at version ${current.version}, so ${what} does not hold; read it again (its ETag is "${current.version}") and retry`,
      { details: { key, currentVersion: current?.version ?? null } },
    );
  }

  /**
   * The version a precondition pins the write to: a single `If-Match` version is passed on as is; `*` or
   * a list is checked against the live entry, whose version then guards the write.
   */
  async #pinnedVersion(
    scope: StoreScope,
    key: string,
    versions: readonly number[] | "*",
    what: string,
  ): Promise<number> {
    if (versions !== "*" && versions.length === 1) return versions[0] as number;
    const current = await this.#backend.getEntry(scope, key);
    if (current === null || current.version === null) throw await this.#preconditionFailed(scope, key, what);
    if (versions !== "*" && !versions.includes(current.version)) {
      throw await this.#preconditionFailed(scope, key, what);
    }
    return current.version;
  }

  /**
   * Writes under a precondition and learns the new version. Versions grow by one per write from 1 (and
   * start again at 1 after an expiry or delete), so a write guarded by version v leaves v + 1 and one
   * guarded by absence leaves 1. An unconditional write is one plain backend write, as in Airflow, and
   * reports no version: learning it would cost a read on every write of the hot path, and a client that
   * needs the version sends a precondition or reads the key.
   */
  async #write(
    scope: StoreScope,
    key: string,
    text: string,
    options: Pick<SetOptions, "expiresAt" | "writer">,
    precondition: Precondition = { kind: "none" },
  ): Promise<WriteResult> {
    if (precondition.kind === "none") {
      await this.#backend.set(scope, key, text, options);
      return { version: null };
    }
    this.#requireCompareAndSet();
    if (precondition.kind === "absent") {
      await this.#guarded(
        scope,
        key,
        () => this.#backend.set(scope, key, text, { ...options, ifAbsent: true }),
        "If-None-Match: *",
      );
      return { version: 1 };
    }
    const what = describeMatch(precondition.versions);
    const ifVersion = await this.#pinnedVersion(scope, key, precondition.versions, what);
    await this.#guarded(
      scope,
      key,
      () => this.#backend.set(scope, key, text, { ...options, ifVersion }),
      what,
    );
    return { version: ifVersion + 1 };
  }

  async #guarded(scope: StoreScope, key: string, run: () => Promise<void>, what: string): Promise<void> {
    try {
      await run();
    } catch (error) {
      if (isStateStoreError(error, "CONFLICT")) throw await this.#preconditionFailed(scope, key, what);
      throw error;
    }
  }

  async #delete(
    scope: StoreScope,
    key: string,
    precondition: Precondition = { kind: "none" },
  ): Promise<void> {
    if (precondition.kind === "none") {
      await this.#backend.delete(scope, key);
      return;
    }
    this.#requireCompareAndSet();
    if (precondition.kind === "absent") {
      // Nothing to delete when no value exists; a live value fails the precondition.
      if ((await this.#backend.getEntry(scope, key)) !== null) {
        throw await this.#preconditionFailed(scope, key, "If-None-Match: *");
      }
      return;
    }
    const what = describeMatch(precondition.versions);
    const ifVersion = await this.#pinnedVersion(scope, key, precondition.versions, what);
    await this.#guarded(scope, key, () => this.#backend.delete(scope, key, { ifVersion }), what);
  }
}
