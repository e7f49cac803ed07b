import type { TidemarkConfig } from "@tidemark/config";
import { loadWorkerBackend as loadConfiguredWorkerBackend, type WorkerStoreBackend } from "@tidemark/state";

/** The option a worker backend is configured with, named in errors. */
export const WORKER_BACKEND_OPTION = "workers.state_store_backend";

const loaded = new Map<string, Promise<WorkerStoreBackend>>();

/** Options of {@link loadWorkerBackend}. */
export interface LoadWorkerBackendOptions {
  /** Directory module paths resolve from. Default `process.cwd()`. */
  readonly cwd?: string;
}

/**
 * Loads the worker backend named by `workers.state_store_backend` (`module#Export`), once per process,
 * specification and configuration (reference: `_get_worker_state_backend`, cached). The export's worker
 * definition parses its own configuration section (for example `common_io`) and creates the backend.
 *
 * @param config - the loaded configuration.
 * @param options - where relative module paths resolve from.
 * @returns the backend, or null when the option is empty (values stay inline).
 * @throws StateStoreError `CONFIG_ERROR` naming `workers.state_store_backend` when the module cannot be
 *   imported, the export is missing or it is not a worker backend definition; the provider's own
 *   `CONFIG_ERROR` for a bad section. A failed load is not cached, so fixing the
 *   environment and calling again works.
 */
export async function loadWorkerBackend(
  config: TidemarkConfig,
  options: LoadWorkerBackendOptions = {},
): Promise<WorkerStoreBackend | null> {
  const spec = config.workers.state_store_backend;
  if (spec === "") return null;
  const cwd = options.cwd ?? process.cwd();
  // One instance per process for a given specification and configuration (a backend reads its own section).
  const cacheKey = JSON.stringify([spec, cwd, config]);
  let pending = loaded.get(cacheKey);
  if (pending === undefined) {
    pending = loadConfiguredWorkerBackend(spec, { option: WORKER_BACKEND_OPTION, config, cwd });
    loaded.set(cacheKey, pending);
    pending.catch(() => loaded.delete(cacheKey));
  }
  return pending;
}
