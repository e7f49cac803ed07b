export {
  type ApiServer,
  type CreateApiServerOptions,
  createApiServer,
  type ListenOptions,
} from "./api/create-api-server.js";
export {
  type IssueTaskTokenOptions,
  type IssueWatcherTokenOptions,
  issueTaskToken,
  issueWatcherToken,
  type WatcherAssetGrant,
} from "./api/execution-tokens.js";
export {
  type ResolvedSecretKey,
  type ResolveSecretKeyOptions,
  resolveSecretKey,
} from "./api/secret-key.js";
export { type CreateDatabaseOptions, createDatabase } from "./database/create-database.js";
export { redactDatabaseUrl, withDatabaseSchema } from "./database/database-url.js";
export type { TidemarkDatabase } from "./database/tidemark-database.js";
export type { AssetRecord } from "./metadata/asset-record.js";
export { type RegisterAssetInput, registerAsset } from "./metadata/assets.js";
export { createDagRun, type DagRunKey, type DagRunRecord } from "./metadata/dag-runs.js";
export type { TaskInstanceRecord } from "./metadata/task-instance-record.js";
export {
  type SetTaskInstanceStateOptions,
  type SetTaskInstanceStateResult,
  setTaskInstanceState,
} from "./metadata/task-instance-state.js";
export type { TaskInstanceState } from "./metadata/task-instance-states.js";
export {
  type CreateTaskInstanceInput,
  createTaskInstance,
  findTaskInstance,
  getTaskInstance,
  type TaskInstanceKey,
} from "./metadata/task-instances.js";
export { DEFAULT_CLEANUP_BATCH_SIZE } from "./metastore/cleanup.js";
export { MetastoreBackend, type MetastoreBackendOptions } from "./metastore/metastore-backend.js";
export { type MigrateOptions, type MigrationReport, migrate } from "./migrations/migrate.js";
