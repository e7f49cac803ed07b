import type { TidemarkConfig } from "@tidemark/config";
import { DEFAULT_MAX_VALUE_STORAGE_BYTES } from "@tidemark/state";

/**
 * The configuration options the worker side reads, camelCased. Build it with
 * {@link workerSettingsFromConfig} from `loadConfig()` (`@tidemark/config`).
 */
export interface WorkerSettings {
  /**
   * `state_store.default_retention_days`: days a task state key lives when `set` gives no retention; 0 =
   * never. Undefined: unknown to the worker, so it sends `expires_at: "default"` and the server applies its
   * own setting.
   */
  readonly defaultRetentionDays?: number;
  /** `state_store.max_value_storage_bytes`: largest value sent to the API, in UTF-8 bytes of JSON; 0 = no limit. */
  readonly maxValueStorageBytes: number;
  /** `state_store.clear_on_success`: clear the task instance's worker-backend objects when it succeeds. */
  readonly clearOnSuccess: boolean;
  /** `workers.state_store_backend`: the worker backend as `module#Export`; empty = values inline. */
  readonly stateStoreBackend: string;
  /** `workers.execution_api_url`: the Execution API base URL; empty when not configured. */
  readonly executionApiUrl: string;
}

/** The defaults of {@link WorkerSettings}, equal to the configuration defaults. */
export const DEFAULT_WORKER_SETTINGS: WorkerSettings = Object.freeze({
  defaultRetentionDays: 30,
  maxValueStorageBytes: DEFAULT_MAX_VALUE_STORAGE_BYTES,
  clearOnSuccess: false,
  stateStoreBackend: "",
  executionApiUrl: "",
});

/**
 * Picks the worker's options out of a loaded configuration.
 *
 * @param config - from `loadConfig()`.
 * @returns the frozen settings.
 */
export function workerSettingsFromConfig(config: TidemarkConfig): WorkerSettings {
  return Object.freeze({
    defaultRetentionDays: config.state_store.default_retention_days,
    maxValueStorageBytes: config.state_store.max_value_storage_bytes,
    clearOnSuccess: config.state_store.clear_on_success,
    stateStoreBackend: config.workers.state_store_backend,
    executionApiUrl: config.workers.execution_api_url,
  });
}
