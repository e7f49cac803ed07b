export {
  API_ERROR_SCHEMA,
  type ApiErrorBody,
  type ApiErrorHandlerOptions,
  type ApiErrorStyle,
  apiErrorBody,
  CORE_API_ERROR_SCHEMA,
  type CoreApiErrorBody,
  ERROR_CODE_HEADER,
  HttpStatusError,
  installApiErrorHandlers,
  sendApiError,
  toApiError,
} from "./api/api-error.js";
export {
  type ApiServer,
  bodyLimitFor,
  type CreateApiServerOptions,
  createApiServer,
  type ListenOptions,
} from "./api/create-api-server.js";
export {
  EXECUTION_API_PREFIX,
  type ExecutionApiPluginOptions,
  executionApiPlugin,
} from "./api/execution/execution-api-plugin.js";
export type {
  ExecutionAsset,
  ExecutionMetadata,
  ExecutionReportedState,
  ExecutionTaskInstance,
} from "./api/execution/execution-metadata.js";
export {
  type AssetSelector,
  ExecutionStateService,
  type ExecutionStateServiceOptions,
  type ExecutionStateSettings,
  type StateWrite,
  type VersionedStateValue,
} from "./api/execution/execution-state-service.js";
export { createMetastoreExecutionMetadata } from "./api/execution/metastore-execution-metadata.js";
export {
  assertOwnTaskInstance,
  installExecutionAuth,
  principalFromAuthorization,
  requirePrincipal,
} from "./api/execution-auth.js";
export {
  DEFAULT_TOKEN_TTL_SECONDS,
  EXECUTION_TOKEN_AUDIENCE,
  type ExecutionPrincipal,
  type IssueTaskTokenOptions,
  type IssueWatcherTokenOptions,
  issueTaskToken,
  issueWatcherToken,
  verifyExecutionToken,
  type WatcherAssetGrant,
} from "./api/execution-tokens.js";
export { parseDurationSeconds } from "./api/parse-duration.js";
export {
  type CoreRestApi,
  type CoreRestApiOptions,
  registerCoreRestApi,
} from "./api/rest/register-core-rest-api.js";
export { REST_API_PREFIX, type RestApiPluginOptions, restApiPlugin } from "./api/rest/rest-api-plugin.js";
export {
  assertAuthAllowedOnHost,
  installRestAuth,
  isLoopbackHost,
  type RestAuthSettings,
  tokenMatches,
} from "./api/rest/rest-auth.js";
export {
  type ResolvedUiDir,
  resolveUiDir,
  UI_PACKAGE,
  UI_PREFIX,
  uiHostingPlugin,
} from "./api/rest/ui-hosting.js";
export {
  isSecretKeyFileExposed,
  MIN_SECRET_KEY_LENGTH,
  type ResolvedSecretKey,
  type ResolveSecretKeyOptions,
  resolveSecretKey,
  SECRET_KEY_FILE,
} from "./api/secret-key.js";
export {
  CLEANUP_LOCK_CLASS_ID,
  type CleanupLock,
  cleanupLockFor,
  type LockOutcome,
  postgresAdvisoryCleanupLock,
  processLocalCleanupLock,
} from "./cleanup-scheduler/cleanup-lock.js";
export {
  type CleanupLogger,
  CleanupScheduler,
  type CleanupSchedulerOptions,
  type CleanupSweepResult,
} from "./cleanup-scheduler/cleanup-scheduler.js";
export { buildProgram } from "./cli/build-program.js";
export { commandGroup } from "./cli/command-group.js";
export { COMMAND_REGISTRARS, type CommandRegistrar } from "./cli/commands/index.js";
export { reportCliError, runCli } from "./cli/run-cli.js";
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
  type PostgresDatabaseUrl,
  parseDatabaseUrl,
  redactDatabaseUrl,
  type SqlDialect,
  type SqliteDatabaseUrl,
  withDatabaseSchema,
} from "./database/database-url.js";
export {
  isForeignKeyViolation,
  isMissingTable,
  isUniqueViolation,
  toBackendError,
} from "./database/driver-error.js";
export { type PreparedQuery, prepareQuery, type QueryRunner } from "./database/prepared-query.js";
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
export { type ValueCodec, valueCodecFor } from "./database/value-codec.js";
export { withWriteTransaction } from "./database/write-transaction.js";
export { type CreateLoggerOptions, createLogger } from "./logging/create-logger.js";
export { type AssetRecord, toAssetRecord } from "./metadata/asset-record.js";
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
  requireTaskInstanceState,
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
  TASK_INSTANCE_ID_PATTERN,
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
export { prefixRange } from "./metastore/prefix-range.js";
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
export {
  type AssetRow as BrowseAssetRow,
  type BrowsePage,
  BrowseQueries,
  type DagRow,
  type DagRunRow,
  type RowPage,
  substringPattern,
  type TaskInstanceRow,
  type TaskTargetLookup,
} from "./state-admin/browse-queries.js";
export { metastoreImportHooks } from "./state-admin/metastore-import-hooks.js";
export { RestStateClient, type RestStateClientOptions } from "./state-admin/rest-state-client.js";
export { StateAdmin, type StateAdminOptions, type StateAdminSettings } from "./state-admin/state-admin.js";
export {
  assetStateEntryJson,
  lastUpdatedByJson,
  taskStateEntryJson,
  writerFromJson,
} from "./state-admin/state-entry-json.js";
export {
  type AssetStateExportLine,
  type ExportScope,
  exportState,
  type ImportReport,
  type ImportScopeHooks,
  type ImportStateOptions,
  importState,
  parseStateExport,
  type StateExportLine,
  type TaskStateExportLine,
} from "./state-admin/state-export.js";
export type {
  AssetLookup,
  AssetStateWrite,
  BrowseRequest,
  StatePageRequest,
  StateStoreAccess,
  TaskStateWrite,
  TaskTarget,
  ValueWrite,
} from "./state-admin/state-store-access.js";
export type {
  AssetListJson,
  AssetStateEntryJson,
  AssetStateListJson,
  AssetSummaryJson,
  DagListJson,
  DagRunListJson,
  DagRunSummaryJson,
  DagSummaryJson,
  LastUpdatedByJson,
  TaskInstanceListJson,
  TaskInstanceSummaryJson,
  TaskStateEntryJson,
  TaskStateListJson,
  UiConfigJson,
} from "./state-admin/wire-types.js";
