export type { Precondition } from "./api/conditional-request.js";
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
  type AssetRouteSelector,
  ExecutionStateService,
  type ExecutionStateServiceOptions,
  type ExecutionStateSettings,
  type StateWrite,
  type VersionedStateValue,
} from "./api/execution/execution-state-service.js";
export { createMetastoreExecutionMetadata } from "./api/execution/metastore-execution-metadata.js";
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
export {
  type BackendReadiness,
  DEFAULT_READINESS_TIMEOUT_MS,
  type MigrationsReadiness,
  type ReadinessComponent,
  ReadinessProbe,
  type ReadinessProbeOptions,
  type ReadinessReport,
} from "./api/health/readiness-probe.js";
export {
  type CoreRestApi,
  type CoreRestApiOptions,
  registerCoreRestApi,
} from "./api/rest/register-core-rest-api.js";
export { REST_API_PREFIX } from "./api/rest/rest-api-plugin.js";
export type { ResolvedUiDir } from "./api/rest/ui-hosting.js";
export {
  MIN_SECRET_KEY_LENGTH,
  type ResolvedSecretKey,
  type ResolveSecretKeyOptions,
  resolveSecretKey,
  SECRET_KEY_FILE,
} from "./api/secret-key.js";
export type { TokenVerificationObserver, TokenVerificationResult } from "./api/token-verification.js";
export { ReferenceSeal } from "./state-admin/reference-seal.js";
export { StateAdmin, type StateAdminOptions, type StateAdminSettings } from "./state-admin/state-admin.js";
export type {
  AssetLookup,
  AssetStateWrite,
  BrowseRequest,
  DeleteCondition,
  StateListPage,
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
  TaskInstanceListJson,
  TaskStateEntryJson,
  TaskStateListJson,
} from "./state-admin/wire-types.js";
