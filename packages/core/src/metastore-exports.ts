export {
  type CleanupLock,
  cleanupLockFor,
  type LockOutcome,
} from "./cleanup-scheduler/cleanup-lock.js";
export {
  type CleanupLockOutcome,
  type CleanupLogger,
  CleanupScheduler,
  type CleanupSchedulerOptions,
  type CleanupSweepObservation,
  type CleanupSweepResult,
} from "./cleanup-scheduler/cleanup-scheduler.js";
export {
  type CreateDatabaseFromKyselyDialectOptions,
  type CreateDatabaseOptions,
  createDatabase,
  createDatabaseFromKyselyDialect,
  DEFAULT_POSTGRES_POOL_SIZE,
  DEFAULT_SQLITE_BUSY_TIMEOUT_MS,
} from "./database/create-database.js";
export {
  ACCEPTED_DATABASE_URL_FORMS,
  type DatabaseUrl,
  type MysqlDatabaseUrl,
  type PostgresDatabaseUrl,
  parseDatabaseUrl,
  redactDatabaseUrl,
  type SqlDialect,
  type SqliteDatabaseUrl,
  withDatabaseSchema,
} from "./database/database-url.js";
export type {
  AssetStateStoreTable,
  AssetTable,
  BooleanColumn,
  DagRunTable,
  Database,
  RegionIdColumn,
  TaskInstanceAssetTable,
  TaskInstanceTable,
  TaskStateStoreTable,
  TimestampColumn,
} from "./database/schema.js";
export type { TidemarkDatabase } from "./database/tidemark-database.js";
export type { ValueCodec } from "./database/value-codec.js";
export type { AssetRecord } from "./metadata/asset-record.js";
export {
  type AssetPage,
  activateAsset,
  deactivateAsset,
  type GetAssetOptions,
  getAssetById,
  getAssetByName,
  getAssetByUri,
  type ListAssetsOptions,
  listAssets,
  type RegisterAssetInput,
  registerAsset,
} from "./metadata/assets.js";
export {
  createDagRun,
  type DagRunKey,
  type DagRunPage,
  type DagRunRecord,
  deleteDagRun,
  getDagRun,
  type ListDagRunsOptions,
  listDagRuns,
} from "./metadata/dag-runs.js";
export { type TaskInstanceRecord, taskInstanceScope } from "./metadata/task-instance-record.js";
export {
  type SetTaskInstanceStateOptions,
  type SetTaskInstanceStateResult,
  setTaskInstanceState,
} from "./metadata/task-instance-state.js";
export {
  isTaskInstanceState,
  TASK_INSTANCE_STATES,
  type TaskInstanceState,
} from "./metadata/task-instance-states.js";
export {
  type CreateTaskInstanceInput,
  createTaskInstance,
  findTaskInstance,
  getTaskInstance,
  type ListTaskInstancesOptions,
  listTaskInstances,
  type TaskInstanceKey,
  type TaskInstancePage,
} from "./metadata/task-instances.js";
export {
  type CleanupMetastoreOptions,
  cleanupMetastore,
  DEFAULT_CLEANUP_BATCH_SIZE,
} from "./metastore/cleanup.js";
export {
  type CreateConfiguredStoreBackendOptions,
  createConfiguredStoreBackend,
} from "./metastore/create-configured-store-backend.js";
export {
  createMetastoreBackend,
  MetastoreBackend,
  type MetastoreBackendOptions,
} from "./metastore/metastore-backend.js";
export {
  getMigrationStatus,
  type MigrateOptions,
  type MigrationLogger,
  type MigrationReport,
  type MigrationStatus,
  migrate,
  type ResetReport,
  resetDatabase,
} from "./migrations/migrate.js";
export { MIGRATION_NAMES } from "./migrations/migration-list.js";
