export {
  CONFORMANCE_KEYS,
  CONFORMANCE_VALUES,
  NON_ASCII_KEYS,
} from "./conformance-values.js";
export {
  createInMemoryStoreBackend,
  InMemoryStoreBackend,
  type InMemoryStoreBackendOptions,
} from "./in-memory-store-backend.js";
export {
  ASSET_IDENTITY_KINDS,
  type AssetIdentityKind,
  type ConformanceAsset,
  type StoreBackendFixture,
} from "./store-backend-fixture.js";
export {
  type StoreBackendSuiteGroup,
  type StoreBackendSuiteOptions,
  storeBackendSuite,
} from "./store-backend-suite.js";
export type { WorkerBackendFixture } from "./worker-backend-fixture.js";
export {
  type WorkerBackendSuiteGroup,
  type WorkerBackendSuiteOptions,
  workerBackendSuite,
} from "./worker-backend-suite.js";
