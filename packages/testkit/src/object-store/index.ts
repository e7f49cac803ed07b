export { InMemoryObjectStore } from "./in-memory-object-store.js";
export type { ObjectStoreFixture } from "./object-store-fixture.js";
export {
  type ObjectStoreSuiteGroup,
  type ObjectStoreSuiteOptions,
  objectStoreSuite,
} from "./object-store-suite.js";
export type { ObjectStoreHead, ObjectStoreObject, ObjectStoreUnderTest } from "./object-store-under-test.js";
