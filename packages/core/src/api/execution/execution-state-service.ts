import {
  type AssetScope,
  type AssetStateStoreWriter,
  assetScope,
  type BaseStoreBackend,
  decodeValue,
  encodeValue,
  type JsonValue,
  type SetOptions,
  StateStoreError,
  type TaskScope,
  taskScope,
  validateKey,
} from "@tidemark/state";
import { assertOwnTaskInstance } from "../execution-auth.js";
import type { ExecutionPrincipal } from "../execution-tokens.js";
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

/** A stored value and its version, as the GET routes answer. */
export interface VersionedStateValue {
  readonly value: JsonValue;
  readonly version: number | null;
}

/** A PUT body, parsed: the value and the optional fields. */
export interface StateWrite {
  readonly value: unknown;
  /** ISO-8601 text, null (never), or undefined (default retention). Task state only. */
  readonly expiresAt?: string | null;
  readonly ifVersion?: number;
  readonly ifAbsent?: boolean;
}

/** How an asset route addresses its asset. */
export type AssetSelector = { readonly name: string } | { readonly uri: string };

function describeSelector(selector: AssetSelector): string {
  return "name" in selector ? `name ${JSON.stringify(selector.name)}` : `uri ${JSON.stringify(selector.uri)}`;
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
      throw new StateStoreError("TASK_INSTANCE_NOT_FOUND", `task instance ${tiId} does not exist`, {
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

  /** `GET /store/ti/{ti_id}/{key}`. @throws StateStoreError `NOT_FOUND` for a missing or expired key. */
  async getTaskState(principal: ExecutionPrincipal, tiId: string, key: string): Promise<VersionedStateValue> {
    const ti = await this.taskInstanceFor(principal, tiId);
    validateKey(key);
    return this.#read(this.#scopeOf(ti), key, `task instance ${ti.id}`);
  }

  /** `PUT /store/ti/{ti_id}/{key}`. */
  async setTaskState(
    principal: ExecutionPrincipal,
    tiId: string,
    key: string,
    write: StateWrite,
  ): Promise<void> {
    const ti = await this.taskInstanceFor(principal, tiId);
    validateKey(key);
    const text = this.#encode(key, write.value);
    const expiresAt = this.#expiresAt(write.expiresAt);
    await this.#backend.set(this.#scopeOf(ti), key, text, { expiresAt, ...this.#conditions(write) });
  }

  /** `DELETE /store/ti/{ti_id}/{key}`. */
  async deleteTaskState(principal: ExecutionPrincipal, tiId: string, key: string): Promise<void> {
    const ti = await this.taskInstanceFor(principal, tiId);
    validateKey(key);
    await this.#backend.delete(this.#scopeOf(ti), key);
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
      throw new StateStoreError(
        "ASSET_NOT_FOUND",
        `no active asset with ${describeSelector(selector)}; it was never registered or has been deactivated`,
      );
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
      throw new StateStoreError(
        "TASK_INSTANCE_NOT_FOUND",
        `the token's task instance ${principal.taskInstanceId} does not exist`,
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

  /** `GET /store/asset/by-*\/value`. @throws StateStoreError `NOT_FOUND` for a missing key. */
  async getAssetState(
    principal: ExecutionPrincipal,
    selector: AssetSelector,
    key: string,
  ): Promise<VersionedStateValue> {
    const { asset, scope } = await this.assetFor(principal, selector);
    validateKey(key);
    return this.#read(scope, key, `asset ${JSON.stringify(asset.name)}`);
  }

  /** `PUT /store/asset/by-*\/value`: records the writer. */
  async setAssetState(
    principal: ExecutionPrincipal,
    selector: AssetSelector,
    key: string,
    write: StateWrite,
  ): Promise<void> {
    const { scope, writer } = await this.assetFor(principal, selector);
    validateKey(key);
    const text = this.#encode(key, write.value);
    await this.#backend.set(scope, key, text, { writer, ...this.#conditions(write) });
  }

  /** `DELETE /store/asset/by-*\/value`. */
  async deleteAssetState(principal: ExecutionPrincipal, selector: AssetSelector, key: string): Promise<void> {
    const { scope } = await this.assetFor(principal, selector);
    validateKey(key);
    await this.#backend.delete(scope, key);
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

  async #read(scope: TaskScope | AssetScope, key: string, where: string): Promise<VersionedStateValue> {
    const entry = await this.#backend.getEntry(scope, key);
    if (entry === null) {
      throw new StateStoreError("NOT_FOUND", `key ${JSON.stringify(key)} not found in ${where}`, {
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
    if (text === null) return null;
    if (text === undefined) {
      const days = this.#settings.defaultRetentionDays;
      return days <= 0 ? null : new Date(this.#now().getTime() + days * DAY_MS);
    }
    const date = new Date(text);
    if (Number.isNaN(date.getTime()) || !/(Z|[+-]\d\d:?\d\d)$/i.test(text)) {
      throw new StateStoreError(
        "INVALID_VALUE",
        `expires_at ${JSON.stringify(text)} is not an ISO-8601 timestamp with an offset; send for example "2026-06-01T00:00:00Z", or null to never expire`,
        { details: { field: "expires_at" } },
      );
    }
    return date;
  }

  #conditions(write: StateWrite): Pick<SetOptions, "ifVersion" | "ifAbsent"> {
    if (write.ifVersion !== undefined && write.ifAbsent === true) {
      throw new StateStoreError(
        "INVALID_VALUE",
        "if_version and if_absent exclude each other: use if_absent to create a key, if_version to update one",
        { details: { field: "if_absent" } },
      );
    }
    return {
      ...(write.ifVersion !== undefined ? { ifVersion: write.ifVersion } : {}),
      ...(write.ifAbsent === true ? { ifAbsent: true } : {}),
    };
  }
}
