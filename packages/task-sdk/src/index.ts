export {
  Asset,
  type AssetAddress,
  type AssetLike,
  AssetNameRef,
  AssetUriRef,
  assetMatches,
  type DeclaredAsset,
  describeAsset,
} from "./asset.js";
export {
  AssetStateStoreAccessor,
  type AssetStateStoreAccessorOptions,
  type AssetStateStoreSetOptions,
} from "./asset-state-store-accessor.js";
export {
  AssetStateStoreAccessors,
  type AssetStateStoreAccessorsOptions,
} from "./asset-state-store-accessors.js";
export { type Clock, systemClock } from "./clock.js";
export type { CompareAndSetOptions } from "./compare-and-set-options.js";
export { computeExpiresAt } from "./compute-expires-at.js";
export { defineTask, type TaskDefinition } from "./define-task.js";
export {
  type DeleteStateRequest,
  ExecutionApiClient,
  type ExecutionApiClientOptions,
  type SetAssetStateRequest,
  type SetTaskStateRequest,
} from "./execution-api-client.js";
export {
  ExecutionApiStoreBackend,
  type ExecutionApiStoreBackendOptions,
  type ExecutionApiTarget,
} from "./execution-api-store-backend.js";
export {
  type LoadWorkerBackendOptions,
  loadWorkerBackend,
  WORKER_BACKEND_OPTION,
} from "./load-worker-backend.js";
export { NEVER_EXPIRE, type NeverExpire } from "./never-expire.js";
export { backoffDelayMs, DEFAULT_RETRY_OPTIONS, type RetryOptions } from "./retry-options.js";
export { type RunTaskOptions, runTask, type TaskRunResult } from "./run-task.js";
export type { DagRunInfo, TaskContext } from "./task-context.js";
export type {
  ReportableTaskInstanceState,
  TaskInstanceInfo,
  VersionedValue,
} from "./task-instance-info.js";
export {
  type ConsoleTaskLoggerOptions,
  createConsoleTaskLogger,
  silentTaskLogger,
  type TaskLogger,
  type TaskLogLevel,
  type TaskLogMethod,
} from "./task-logger.js";
export {
  TaskStateStoreAccessor,
  type TaskStateStoreAccessorOptions,
  type TaskStateStoreSetOptions,
} from "./task-state-store-accessor.js";
export type {
  ExecutionApiRequestMetric,
  ExecutionApiRetryMetric,
  ExecutionApiRetryReason,
  WorkerMetricsHook,
  WorkerValueWrittenMetric,
} from "./worker-metrics-hook.js";
export { DEFAULT_WORKER_SETTINGS, type WorkerSettings, workerSettingsFromConfig } from "./worker-settings.js";
