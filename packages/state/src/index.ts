export { type AssetIdentity, assetIdentity } from "./asset-identity.js";
export {
  type BackendCreateContext,
  type BackendDefinitionInit,
  defineStoreBackend,
  defineWorkerBackend,
  isStoreBackendDefinition,
  isWorkerBackendDefinition,
  type StoreBackendDefinition,
  type WorkerBackendDefinition,
} from "./define-backend.js";
export {
  assertWithinSizeLimit,
  DEFAULT_MAX_VALUE_STORAGE_BYTES,
  decodeValue,
  type EncodeValueOptions,
  encodeValue,
  utf8ByteLength,
} from "./encode-value.js";
export {
  errorCodeForHttpStatus,
  httpStatusOf,
  isStateStoreErrorCode,
  STATE_STORE_ERROR_CODES,
  type StateStoreErrorCode,
  type StateStoreErrorCodeInfo,
  type StateStoreErrorReason,
} from "./error-codes.js";
export { compareAndSetConflict, notSupported, orphanedAfterDatabase } from "./errors/backend-errors.js";
export {
  type ConditionSpec,
  type ConditionStyle,
  conditionFailed,
  describeCondition,
  invalidCondition,
} from "./errors/condition-errors.js";
export {
  keyNotFound,
  notAReferenceEnvelope,
  reservedReferenceMember,
  writtenThenDeleted,
} from "./errors/key-errors.js";
export {
  type AssetSelector,
  assetDeactivated,
  assetNotDeclared,
  assetNotFound,
  assetNotGranted,
  dagRunNotFound,
  inletOutletAssetsNotFound,
  type TaskInstanceAddress,
  taskInstanceIdNotFound,
  taskInstanceNotFound,
  taskInstanceNotFoundMessage,
} from "./errors/scope-errors.js";
export { conditionalValueTooLarge, danglingReference, invalidReference } from "./errors/value-errors.js";
export { type ExpiresAtInput, isExpired, type ResolveExpiresAtOptions, resolveExpiresAt } from "./expiry.js";
export type { JsonArray, JsonObject, JsonPrimitive, JsonValue } from "./json-value.js";
export { compareKeys } from "./key-order.js";
export {
  type BackendSpec,
  type LoadBackendOptions,
  loadStoreBackend,
  loadWorkerBackend,
  parseBackendSpec,
} from "./load-store-backend.js";
export { checkPage, DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, type PageRequest } from "./page-request.js";
export { pythonRepr } from "./python-repr.js";
export {
  type AssetScope,
  type AssetScopeInit,
  assetScope,
  describeScope,
  isTaskScope,
  NO_REGION_ID,
  REGION_ID_PATTERN,
  requireRegionId,
  type StoreScope,
  type TaskScope,
  type TaskScopeInit,
  taskScope,
} from "./scope.js";
export {
  refFromStoredText,
  STATE_REF_KEY,
  type StateRefEnvelope,
  unwrapStateRef,
  wrapStateRef,
} from "./state-ref.js";
export {
  createStateStore,
  type StateEntry,
  type StateListOptions,
  type StatePage,
  type StateStore,
  type StateStoreSettings,
  type StateStoreSide,
  type StateWriteOptions,
  type WriteCondition,
  type WriteResult,
} from "./state-store.js";
export { isStateStoreError, StateStoreError, type StateStoreErrorOptions } from "./state-store-error.js";
export type {
  StateStoreInstrumentation,
  StateStoreOperation,
  StateStoreOperationInfo,
  StateStoreValueWritten,
} from "./state-store-instrumentation.js";
export {
  BaseStoreBackend,
  type CleanupOptions,
  type CleanupProgress,
  type CleanupReport,
  type ClearOptions,
  type ConfigSections,
  type DeleteOptions,
  type ListOptions,
  type ListResult,
  type SetOptions,
  type StoreBackendCapabilities,
  type StoreEntry,
} from "./store-backend.js";
export { MAX_KEY_LENGTH, validateKey } from "./validate-key.js";
export {
  BaseWorkerBackend,
  type DeserializeFromRefArgs,
  isWorkerStoreBackend,
  type SerializeToRefArgs,
  type WorkerBackendCapabilities,
  type WorkerStoreBackend,
} from "./worker-backend.js";
export {
  ASSET_STATE_STORE_WRITER_KINDS,
  type AssetStateStoreWriter,
  type AssetStateStoreWriterKind,
  validateAssetStateStoreWriter,
} from "./writer-kind.js";
