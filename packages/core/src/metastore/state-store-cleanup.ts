import {
  type AssetScope,
  assetScope,
  type BaseStoreBackend,
  type CleanupOptions,
  type CleanupReport,
  createStateStore,
} from "@tidemark/state";
import { toBackendError } from "../database/driver-error.js";
import type { TidemarkDatabase } from "../database/tidemark-database.js";

/**
 * The metastore's deactivated assets, as the scopes the servers address them by (id, name and uri), so
 * that a backend keeping state elsewhere can sweep their orphaned state.
 *
 * @param database - the metastore.
 * @returns the scopes, by id.
 * @throws StateStoreError `BACKEND_UNAVAILABLE` when the database fails.
 */
export async function inactiveAssetScopes(database: TidemarkDatabase): Promise<AssetScope[]> {
  try {
    const rows = await database.db
      .selectFrom("asset")
      .select(["id", "name", "uri"])
      .where("active", "=", database.codec.bool(false))
      .orderBy("id")
      .execute();
    return rows.map((row) => assetScope({ assetId: row.id, name: row.name, uri: row.uri }));
  } catch (error) {
    throw toBackendError(error, database, "listing of inactive assets");
  }
}

/**
 * Runs the server backend's garbage collection through the state store core. A backend that keeps its
 * rows in this metastore (MetastoreBackend) finds deactivated assets itself; any other backend is given
 * them as `inactiveAssets`, so every backend sweeps orphaned asset state.
 *
 * @param backend - the configured server backend (`state_store.backend`).
 * @param database - the metastore, which knows which assets are inactive.
 * @param options - `dryRun`, `onProgress`.
 * @returns the backend's report.
 * @throws StateStoreError `BACKEND_UNAVAILABLE` when the database or the backend fails.
 */
export function cleanupStateStore(
  backend: BaseStoreBackend,
  database: TidemarkDatabase,
  options: CleanupOptions = {},
): Promise<CleanupReport> {
  const sharesMetastore = backend.storageHandle() === database;
  const store = createStateStore(
    backend,
    sharesMetastore ? {} : { inactiveAssets: () => inactiveAssetScopes(database) },
  );
  return store.cleanup(options);
}
