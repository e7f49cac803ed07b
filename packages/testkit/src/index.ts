export {
  type AssetIdentity,
  CONFORMANCE_VALUES,
  type ConformanceGroup,
  runStoreBackendConformance,
  type StoreBackendConformanceOptions,
} from "./conformance.js";
export {
  createInMemoryStoreBackend,
  InMemoryStoreBackend,
  type InMemoryStoreBackendOptions,
} from "./in-memory-store-backend.js";
