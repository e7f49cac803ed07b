import type { TidemarkConfig } from "@tidemark/config";
import { type BaseStoreBackend, loadStoreBackend } from "@tidemark/state";
import type { TidemarkDatabase } from "../database/tidemark-database.js";
import { MetastoreBackend } from "./metastore-backend.js";

/** Options of {@link createConfiguredStoreBackend}. */
export interface CreateConfiguredStoreBackendOptions {
  /** The loaded configuration (`loadConfig()` from `@tidemark/config`). */
  config: TidemarkConfig;
  /**
   * The metastore for the built-in backend (left open by the backend's `close()`). Default: opened from
   * `database.url` and closed by the backend's `close()`.
   */
  database?: TidemarkDatabase;
  /** Where relative SQLite paths and `state_store.backend` modules resolve. Default `process.cwd()`. */
  cwd?: string;
}

/**
 * Builds the server backend the configuration names: `state_store.backend` empty → the built-in
 * {@link MetastoreBackend} on `database.url` (with `state_store.state_cleanup_batch_size`); otherwise the
 * `module#Export` it names, loaded with `loadStoreBackend` and given `{config}`.
 *
 * The metastore is not migrated here; run `migrate(database)` first.
 *
 * @param options - the configuration, an open database to use, the working directory.
 * @returns the backend; `close()` it when done.
 * @throws StateStoreError `CONFIG_ERROR` naming `state_store.backend` when the module cannot be loaded, or
 *   `database.url` when it is not a database URL Tidemark accepts.
 */
export async function createConfiguredStoreBackend(
  options: CreateConfiguredStoreBackendOptions,
): Promise<BaseStoreBackend> {
  const { config } = options;
  const spec = config.state_store.backend;
  if (spec === "") {
    return new MetastoreBackend({
      ...(options.database === undefined ? { url: config.database.url } : { database: options.database }),
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      cleanupBatchSize: config.state_store.state_cleanup_batch_size,
    });
  }
  return loadStoreBackend(spec, {
    config,
    option: "state_store.backend",
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
}
