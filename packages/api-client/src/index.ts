export type { JsonValue } from "@tidemark/state";
export type { ApiClientOptions } from "./api-client-options.js";
export type {
  AssetList,
  AssetStateEntry,
  AssetStateList,
  AssetSummary,
  CoreRestApiErrorBody,
  DagList,
  DagRun,
  DagRunList,
  DagSummary,
  LastUpdatedBy,
  TaskInstanceList,
  TaskInstanceSummary,
  TaskStateEntry,
  TaskStateList,
  TaskStateWrite,
  UiConfig,
} from "./core-rest-api-types.js";
export { type CoreRestApiHttpClient, createCoreRestApiClient } from "./create-core-rest-api-client.js";
export { createExecutionApiClient, type ExecutionApiHttpClient } from "./create-execution-api-client.js";
export { ERROR_CODE_HEADER } from "./error-code-header.js";
export type {
  AssetStateValueWrite,
  DeclaredAssetJson,
  ExecutionApiErrorBody,
  ExecutionApiExtensions,
  StateValue,
  TaskInstance,
  TaskInstanceStateUpdate,
  TaskStateValueWrite,
} from "./execution-api-types.js";
export type {
  components as CoreRestApiComponents,
  paths as CoreRestApiPaths,
} from "./generated/core-rest-api.js";
export type {
  components as ExecutionApiComponents,
  paths as ExecutionApiPaths,
} from "./generated/execution-api.js";
export { simplePathSerializer } from "./path-serializer.js";
export { type ErrorAnswer, readErrorAnswer } from "./read-error-answer.js";
export { type ErrorResponseContext, stateStoreErrorFromResponse } from "./state-store-error-from-response.js";
export { versionOfEtag } from "./version-of-etag.js";
