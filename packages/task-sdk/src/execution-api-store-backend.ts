import {
  BaseStoreBackend,
  type ClearOptions,
  type DeleteOptions,
  isStateStoreError,
  type JsonValue,
  notSupported,
  type SetOptions,
  StateStoreError,
  type StoreBackendCapabilities,
  type StoreEntry,
  type StoreScope,
} from "@tidemark/state";
import type { AssetAddress } from "./asset.js";
import type { ExecutionApiClient } from "./execution-api-client.js";

/** What an {@link ExecutionApiStoreBackend} serves: one task instance's task state, or one asset's state. */
export type ExecutionApiTarget =
  | {
      /** Task state of one task instance. */
      readonly kind: "task";
      /** The task instance id (`ti_id` in the routes). */
      readonly taskInstanceId: string;
    }
  | {
      /** Asset state of one asset. */
      readonly kind: "asset";
      /** The asset, by name or by URI. */
      readonly asset: AssetAddress;
    };

/** What an {@link ExecutionApiStoreBackend} is built from. */
export interface ExecutionApiStoreBackendOptions {
  /** The Execution API client, holding the token of the task instance (or watcher). */
  readonly client: ExecutionApiClient;
  /** The task instance or asset whose routes the backend calls. */
  readonly target: ExecutionApiTarget;
}

/**
 * The worker side's store backend: the state of ONE task instance or asset, kept by the api-server and
 * reached through the Execution API. The accessors build a state store over it (`createStateStore` with
 * `side: "worker"`), which validates, offloads and resolves references before anything is sent, so this
 * backend only carries JSON text to and from the routes.
 *
 * The scope arguments name the same target (the token decides what the server serves); a scope of the
 * other kind is refused. Capabilities: `expiry` (the server keeps `expires_at`), `compareAndSet`
 * (`If-Match` / `If-None-Match`; the client refuses conditions with `NOT_SUPPORTED` when the server does
 * not advertise `conditional-requests`), `defaultExpiry` (`expiresAt: "default"` reaches the server, which
 * applies `state_store.default_retention_days`), no `listKeys` (the Execution API has no listing).
 */
export class ExecutionApiStoreBackend extends BaseStoreBackend {
  /** Expiry, compare-and-set and the server's default retention; no listing (see the class documentation). */
  override readonly capabilities: StoreBackendCapabilities = Object.freeze({
    expiry: true,
    compareAndSet: true,
    listKeys: false,
    defaultExpiry: true,
  });
  readonly #client: ExecutionApiClient;
  readonly #target: ExecutionApiTarget;

  /** @param options - the client and the task instance or asset it reaches. */
  constructor(options: ExecutionApiStoreBackendOptions) {
    super();
    this.#client = options.client;
    this.#target = options.target;
  }

  /** {@inheritDoc @tidemark/state!BaseStoreBackend.get} */
  override async get(scope: StoreScope, key: string): Promise<string | null> {
    return (await this.getEntry(scope, key))?.value ?? null;
  }

  /**
   * Reads a key through `GET`; the version comes from the `ETag`. The Execution API does not send
   * `expires_at` or the update time, so they are null (the server never returns an expired key).
   *
   * @returns the entry, or null when the server answers `NOT_FOUND`.
   * @throws StateStoreError every other error of the client (`UNAUTHORIZED`, `FORBIDDEN`, …).
   */
  override async getEntry(scope: StoreScope, key: string): Promise<StoreEntry | null> {
    const target = this.#check(scope);
    try {
      const { value, version } =
        target.kind === "task"
          ? await this.#client.getTaskState(target.taskInstanceId, key)
          : await this.#client.getAssetState(target.asset, key);
      return { key, value: JSON.stringify(value), version, updatedAt: null, expiresAt: null };
    } catch (error) {
      if (isStateStoreError(error, "NOT_FOUND")) return null;
      throw error;
    }
  }

  /**
   * Writes a key through `PUT`; `ifVersion` / `ifAbsent` travel as `If-Match` / `If-None-Match: *`.
   *
   * @throws StateStoreError `CONFLICT` when a condition fails; `NOT_SUPPORTED` before sending when the
   *   server lacks the extension a condition or `"default"` needs; the client's other errors.
   */
  override async set(scope: StoreScope, key: string, value: string, options: SetOptions = {}): Promise<void> {
    const target = this.#check(scope);
    const json = JSON.parse(value) as JsonValue;
    const conditions = {
      ...(options.ifVersion !== undefined ? { ifVersion: options.ifVersion } : {}),
      ...(options.ifAbsent ? { ifAbsent: true } : {}),
    };
    if (target.kind === "task") {
      await this.#client.setTaskState(target.taskInstanceId, key, json, {
        expiresAt: options.expiresAt ?? null,
        ...conditions,
      });
    } else {
      await this.#client.setAssetState(target.asset, key, json, conditions);
    }
  }

  /**
   * As {@link BaseStoreBackend.delete}.
   *
   * With `ifVersion`, sent as `If-Match`.
   */
  override async delete(scope: StoreScope, key: string, options: DeleteOptions = {}): Promise<void> {
    const target = this.#check(scope);
    const request = options.ifVersion === undefined ? {} : { ifVersion: options.ifVersion };
    if (target.kind === "task") await this.#client.deleteTaskState(target.taskInstanceId, key, request);
    else await this.#client.deleteAssetState(target.asset, key, request);
  }

  /**
   * Deletes every key of the task instance (its own map index) or of the asset.
   *
   * @throws StateStoreError `NOT_SUPPORTED` for `allMapIndices`: the Execution API clears only the task
   *   instance's own map index.
   */
  override async clear(scope: StoreScope, options: ClearOptions = {}): Promise<void> {
    const target = this.#check(scope);
    if (target.kind === "asset") {
      await this.#client.clearAssetState(target.asset);
      return;
    }
    if (options.allMapIndices) {
      throw notSupported(
        this.name,
        "clear with allMapIndices",
        "the Execution API clears a task instance's own map index only; clear other map indices through the Core REST API",
      );
    }
    await this.#client.clearTaskState(target.taskInstanceId);
  }

  #check(scope: StoreScope): ExecutionApiTarget {
    if (scope.kind !== this.#target.kind) {
      throw new StateStoreError(
        "INVALID_SCOPE",
        `${this.name} serves the ${this.#target.kind === "task" ? "task state of one task instance" : "state of one asset"}, not a ${scope.kind} scope`,
      );
    }
    return this.#target;
  }
}
