import type { AssetScope, BaseStoreBackend, TaskScope } from "@tidemark/state";

/** How an asset scope addresses its asset: by id (server side), by name or by URI (worker side). */
export type AssetIdentityKind = "assetId" | "name" | "uri";

/** Every way of addressing an asset, in the order the suites try them. */
export const ASSET_IDENTITY_KINDS: readonly AssetIdentityKind[] = Object.freeze(["name", "uri", "assetId"]);

/** An asset the suite uses: its name, URI and a synthetic id (for backends without a registry). */
export interface ConformanceAsset {
  /** The asset name, unique within one test. */
  readonly name: string;
  /** The asset URI. */
  readonly uri: string;
  /** A positive id, the same for the same name within one test. */
  readonly assetId: number;
}

/**
 * One backend under test, made fresh for every test by the suite's `create`. Everything the harness
 * needs (servers, directories, registries) lives in the closure that built it, so a harness keeps no
 * side maps keyed by backend.
 */
export interface StoreBackendFixture<B extends BaseStoreBackend = BaseStoreBackend> {
  /** The backend, fresh and empty. */
  readonly backend: B;
  /** Releases the backend and whatever the fixture made. Default: `backend.close()`. */
  dispose?(): void | Promise<void>;
  /**
   * Makes a task scope exist where the backend needs it (a dag run and task instance in a metastore) and
   * returns the scope to use. Default: the scope as given.
   */
  prepareTaskScope?(scope: TaskScope): TaskScope | Promise<TaskScope>;
  /**
   * Makes an asset exist (registers it) and returns its scope addressed by `identity`. Default: the scope
   * built from the asset's synthetic id, its name or its URI.
   */
  prepareAssetScope?(asset: ConformanceAsset, identity: AssetIdentityKind): AssetScope | Promise<AssetScope>;
  /**
   * Cuts the backend off from its store (closes the pool, stops the endpoint, removes the directory), so
   * the next operation fails as a driver failure would. Without it the failure-mapping case is skipped,
   * saying so.
   */
  breakConnection?(): void | Promise<void>;
}
