import { type JsonValue, StateStoreError, type WorkerStoreBackend } from "@tidemark/state";
import { type AssetLike, assetMatches, type DeclaredAsset, describeAsset } from "./asset.js";
import { AssetStateStoreAccessor, type AssetStateStoreSetOptions } from "./asset-state-store-accessor.js";
import type { ExecutionApiClient } from "./execution-api-client.js";
import type { VersionedValue } from "./task-instance-info.js";
import type { TaskLogger } from "./task-logger.js";
import type { WorkerSettings } from "./worker-settings.js";

/** What {@link AssetStateStoreAccessors} is built from; `runTask` builds it from the task instance. */
export interface AssetStateStoreAccessorsOptions {
  /** The Execution API client, holding the task instance's token. */
  readonly client: ExecutionApiClient;
  /** The task instance's inlets and outlets, as the Execution API reported them. */
  readonly declared: readonly DeclaredAsset[];
  /** The worker settings (size limit, retention). Default {@link DEFAULT_WORKER_SETTINGS}. */
  readonly settings?: WorkerSettings;
  /** The worker backend values are offloaded to (`workers.state_store_backend`); absent or null: inline. */
  readonly backend?: WorkerStoreBackend | null;
  /** Where warnings go. Default nowhere. */
  readonly log?: TaskLogger;
}

/**
 * `ctx.assetStateStore`: the asset state of every concrete asset the task instance declared as an inlet or
 * outlet (the same asset in both counts once). Reference: `AssetStateStoreAccessors`,
 * `context["asset_state_store"]`.
 *
 * - `.for(asset)` returns the {@link AssetStateStoreAccessor} of a declared asset (the reference's
 *   `context["asset_state_store"][asset]`); accessors address assets by name.
 * - `get` / `getEntry` / `set` / `delete` / `clear` directly on it are the single-asset shorthand: they work
 *   when the task instance has exactly one concrete inlet or outlet.
 */
export class AssetStateStoreAccessors {
  readonly #declared: readonly DeclaredAsset[];
  readonly #accessors: readonly AssetStateStoreAccessor[];

  /** @param options - client, declared assets, settings, worker backend, logger. */
  constructor(options: AssetStateStoreAccessorsOptions) {
    const distinct: DeclaredAsset[] = [];
    for (const asset of options.declared) {
      if (!distinct.some((d) => d.name === asset.name)) distinct.push(Object.freeze({ ...asset }));
    }
    this.#declared = Object.freeze(distinct);
    this.#accessors = Object.freeze(
      distinct.map(
        (asset) =>
          new AssetStateStoreAccessor({
            client: options.client,
            asset: { name: asset.name },
            ...(options.settings ? { settings: options.settings } : {}),
            ...(options.backend !== undefined ? { backend: options.backend } : {}),
            ...(options.log ? { log: options.log } : {}),
          }),
      ),
    );
  }

  /** The distinct declared assets (inlets and outlets), in declaration order. */
  get declared(): readonly DeclaredAsset[] {
    return this.#declared;
  }

  /**
   * The accessor of a declared asset.
   *
   * @param asset - an `Asset`, `AssetNameRef`, `AssetUriRef` or `{name}` / `{uri}` object.
   * @returns its accessor.
   * @throws StateStoreError `FORBIDDEN` when the task instance did not declare the asset, naming the
   *   declared ones.
   */
  for(asset: AssetLike): AssetStateStoreAccessor {
    const index = this.#declared.findIndex((d) => assetMatches(asset, d));
    const accessor = index >= 0 ? this.#accessors[index] : undefined;
    if (accessor === undefined) {
      const declared = this.#declared.map(describeAsset).join(", ") || "none";
      throw new StateStoreError(
        "FORBIDDEN",
        `${describeAsset(asset)} is not an inlet or outlet of this task instance, so its asset state is not available; declared: ${declared}. Declare it in the task's inlets or outlets`,
        { details: { declared: this.#declared.map((d) => d.name) } },
      );
    }
    return accessor;
  }

  #single(operation: string): AssetStateStoreAccessor {
    const only = this.#accessors.length === 1 ? this.#accessors[0] : undefined;
    if (only === undefined) {
      const count = this.#declared.length;
      const listed = count === 0 ? "" : ` (${this.#declared.map(describeAsset).join(", ")})`;
      throw new StateStoreError(
        "INVALID_SCOPE",
        `ctx.assetStateStore.${operation}() is the single-asset shorthand and needs exactly one concrete inlet or outlet, but this task instance has ${count}${listed}; use ctx.assetStateStore.for(asset).${operation}()`,
        { details: { count } },
      );
    }
    return only;
  }

  /** Shorthand for `.for(theOnlyAsset).get(key, defaultValue)`. @throws StateStoreError `INVALID_SCOPE` unless exactly one asset is declared. */
  async get<T = JsonValue>(key: string, defaultValue?: T): Promise<T | undefined> {
    return this.#single("get").get<T>(key, defaultValue);
  }

  /** Shorthand for `.for(theOnlyAsset).getEntry(key)`. @throws StateStoreError `INVALID_SCOPE` unless exactly one asset is declared. */
  async getEntry<T = JsonValue>(key: string): Promise<VersionedValue<T> | null> {
    return this.#single("getEntry").getEntry<T>(key);
  }

  /** Shorthand for `.for(theOnlyAsset).set(key, value, options)`. @throws StateStoreError `INVALID_SCOPE` unless exactly one asset is declared. */
  async set(key: string, value: unknown, options?: AssetStateStoreSetOptions): Promise<void> {
    return this.#single("set").set(key, value, options);
  }

  /** Shorthand for `.for(theOnlyAsset).delete(key)`. @throws StateStoreError `INVALID_SCOPE` unless exactly one asset is declared. */
  async delete(key: string): Promise<void> {
    return this.#single("delete").delete(key);
  }

  /** Shorthand for `.for(theOnlyAsset).clear()`. @throws StateStoreError `INVALID_SCOPE` unless exactly one asset is declared. */
  async clear(): Promise<void> {
    return this.#single("clear").clear();
  }
}
