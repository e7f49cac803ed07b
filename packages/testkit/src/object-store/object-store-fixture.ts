import type { ObjectStoreUnderTest } from "./object-store-under-test.js";

/**
 * One object store under test, made fresh (empty) for every test by the suite's `create`. Whatever the
 * harness needs (a server, a directory, a fresh prefix) lives in the closure that built it.
 */
export interface ObjectStoreFixture<S extends ObjectStoreUnderTest = ObjectStoreUnderTest> {
  /** The store, empty. */
  readonly store: S;
  /** Releases the store and whatever the fixture made. Default: `store.close()`. */
  dispose?(): void | Promise<void>;
}
