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
export type { JsonArray, JsonObject, JsonPrimitive, JsonValue } from "./json-value.js";
export {
  type BackendSpec,
  type LoadStoreBackendOptions,
  loadStoreBackend,
  parseBackendSpec,
} from "./load-store-backend.js";
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
export { isStateStoreError, StateStoreError, type StateStoreErrorOptions } from "./state-store-error.js";
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
  type SerializeToRefArgs,
  type SetOptions,
  type StoreBackendCapabilities,
  type StoreBackendContext,
  type StoreEntry,
} from "./store-backend.js";
export { MAX_KEY_LENGTH, validateKey } from "./validate-key.js";
export {
  ASSET_STATE_STORE_WRITER_KINDS,
  type AssetStateStoreWriter,
  type AssetStateStoreWriterKind,
  validateAssetStateStoreWriter,
} from "./writer-kind.js";
