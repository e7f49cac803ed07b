export { connectionVariable } from "./airflow-connection-fields.js";
export { MAX_KEY_BYTES as OBJECT_STORAGE_MAX_KEY_BYTES } from "./object-layout.js";
export {
  OBJECT_STORAGE_COMPRESSIONS,
  type ObjectStorageCompression,
  type ObjectStorageConfig,
  parseObjectStorageConfig,
} from "./object-storage-config.js";
export type { StateStoreObjectStorageOptions, StoreBackendContext } from "./object-storage-options.js";
export type { ObjectHead, ObjectStore, PutObject, StoredObject } from "./object-store.js";
export {
  createStateStoreObjectStorageBackend,
  StateStoreObjectStorageBackend,
} from "./state-store-object-storage-backend.js";
