import {
  type AssetScope,
  assetScope,
  type JsonValue,
  type StateStore,
  StateStoreError,
  type WorkerStoreBackend,
} from "@tidemark/state";
import type { AssetAddress } from "./asset.js";
import type { CompareAndSetOptions } from "./compare-and-set-options.js";
import type { ExecutionApiClient } from "./execution-api-client.js";
import type { VersionedValue } from "./task-instance-info.js";
import { silentTaskLogger, type TaskLogger } from "./task-logger.js";
import { DEFAULT_WORKER_SETTINGS, type WorkerSettings } from "./worker-settings.js";
import { createWorkerStateStore } from "./worker-state-store.js";

/** Options of {@link AssetStateStoreAccessor.set}: compare-and-set only; asset state has no retention. */
export type AssetStateStoreSetOptions = CompareAndSetOptions;

/** What an {@link AssetStateStoreAccessor} is built from; `runTask` builds them for you. */
export interface AssetStateStoreAccessorOptions {
  /** The Execution API client, holding the task instance's (or watcher's) token. */
  readonly client: ExecutionApiClient;
  /** The asset, by `{name}` or by `{uri}` (exactly one). */
  readonly asset: AssetAddress;
  /** The size limit. Default {@link DEFAULT_WORKER_SETTINGS}. */
  readonly settings?: WorkerSettings;
  /** The worker backend; null or absent keeps values inline. */
  readonly backend?: WorkerStoreBackend | null;
  /** Where warnings go. Default: nowhere. */
  readonly log?: TaskLogger;
}

/**
 * Asset state of one asset: key/value JSON shared across runs (watermarks, cursors) that never expires.
 * Reference: `AssetStateStoreAccessor`, `context["asset_state_store"][asset]`. Get one from
 * `ctx.assetStateStore.for(asset)`; the Execution API only serves assets the task instance declared as
 * inlets or outlets.
 *
 * With a worker backend, values are offloaded through `serializeAssetStateStoreToRef` (its scope carries
 * the asset's name or uri, as the accessor addresses it) and the database holds the reference envelope.
 */
export class AssetStateStoreAccessor {
  readonly #scope: AssetScope;
  readonly #store: StateStore;

  /**
   * @param options - client, asset address, settings, worker backend, logger.
   * @throws StateStoreError `INVALID_SCOPE` when the asset has both or neither of name and uri, or an empty one.
   */
  constructor(options: AssetStateStoreAccessorOptions) {
    const { name, uri } = options.asset as { name?: unknown; uri?: unknown };
    if ((name === undefined) === (uri === undefined)) {
      throw new StateStoreError(
        "INVALID_SCOPE",
        "AssetStateStoreAccessor addresses an asset by name or by uri: give exactly one of them",
      );
    }
    const asset: AssetAddress = name !== undefined ? { name: name as string } : { uri: uri as string };
    this.#scope = assetScope(asset);
    this.#store = createWorkerStateStore({
      client: options.client,
      target: { kind: "asset", asset },
      settings: options.settings ?? DEFAULT_WORKER_SETTINGS,
      workerBackend: options.backend ?? null,
      log: options.log ?? silentTaskLogger,
    });
  }

  /** The asset's scope as the worker backend sees it: `{kind: "asset", name}` or `{kind: "asset", uri}`. */
  get scope(): AssetScope {
    return this.#scope;
  }

  /**
   * Reads a key.
   *
   * @param key - the key.
   * @param defaultValue - returned when the key does not exist.
   * @returns the value, else `defaultValue` (undefined when none is given).
   * @throws StateStoreError `INVALID_KEY`; `ASSET_NOT_FOUND` for an unknown or deactivated asset;
   *   `FORBIDDEN` for an asset the task instance did not declare; any other error except `NOT_FOUND`.
   */
  async get<T = JsonValue>(key: string, defaultValue?: T): Promise<T | undefined> {
    const entry = await this.getEntry<T>(key);
    return entry === null ? defaultValue : entry.value;
  }

  /**
   * Reads a key with its version for compare-and-set loops (beyond the reference).
   *
   * @returns `{value, version}`, or null when the key does not exist.
   * @throws StateStoreError as {@link get}.
   */
  async getEntry<T = JsonValue>(key: string): Promise<VersionedValue<T> | null> {
    const entry = await this.#store.getEntry(this.#scope, key);
    return entry === null ? null : { value: entry.value as T, version: entry.version };
  }

  /**
   * Writes or overwrites a key. The server records the writer (the task instance, or the watcher).
   *
   * @param key - the key.
   * @param value - any JSON value except a top-level null.
   * @param options - `ifVersion` / `ifAbsent`.
   * @throws StateStoreError `INVALID_KEY`, `INVALID_VALUE`, `VALUE_TOO_LARGE` (nothing sent), `CONFLICT`,
   *   a conditional value too large to stay inline
   *   (`VALUE_TOO_LARGE`: conditional writes are never offloaded, so no object is overwritten before the
   *   condition is checked), `ASSET_NOT_FOUND`, `FORBIDDEN`, …
   */
  async set(key: string, value: unknown, options: AssetStateStoreSetOptions = {}): Promise<void> {
    await this.#store.set(this.#scope, key, value, {
      ifVersion: options.ifVersion,
      ifAbsent: options.ifAbsent,
    });
  }

  /**
   * Deletes a key; a no-op when it does not exist. With a worker backend: the database reference first,
   * then the backend's object.
   *
   * @throws StateStoreError from the API; or, after the reference is gone, the backend's failure.
   */
  async delete(key: string): Promise<void> {
    await this.#store.delete(this.#scope, key);
  }

  /**
   * Deletes every key of the asset. With a worker backend: the database first, then the backend's `clear`.
   *
   * @throws StateStoreError from the API; or, after the rows are gone, the backend's failure.
   */
  async clear(): Promise<void> {
    await this.#store.clear(this.#scope);
  }
}
