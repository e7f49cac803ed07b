import { isStateStoreError } from "@tidemark/state";
import {
  type StoreBackendFixture,
  storeBackendSuite,
  type WorkerBackendFixture,
  workerBackendSuite,
} from "@tidemark/testkit";
import type { StateStoreObjectStorageBackend } from "../../src/index.js";

/** The threshold of the worker suites: values from 64 bytes of JSON go to objects. */
const THRESHOLD = 64;

type Fixture = StoreBackendFixture<StateStoreObjectStorageBackend> &
  WorkerBackendFixture<StateStoreObjectStorageBackend>;

/** Whether the object behind a reference exists, asked through the backend's own read hooks. */
export async function readable(backend: StateStoreObjectStorageBackend, ref: string): Promise<boolean> {
  for (const read of [
    () => backend.deserializeTaskStateStoreFromRef(ref),
    () => backend.deserializeAssetStateStoreFromRef(ref),
  ]) {
    try {
      await read();
      return true;
    } catch (error) {
      if (isStateStoreError(error, "NOT_FOUND")) return false;
      if (!isStateStoreError(error, "INVALID_VALUE")) throw error;
    }
  }
  throw new Error(`reference ${ref} is neither task nor asset state of this backend`);
}

/**
 * The store and worker conformance suites of one kind of object storage, gzip off and on.
 *
 * @param label - the store in the suite titles, for example `s3:// (s3rver)`.
 * @param fixture - a fresh backend with that compression and threshold (0: every value offloaded).
 * @param backendFailure - why the backend-failure group is skipped, and where it is covered instead.
 */
export function objectStorageSuites(
  label: string,
  fixture: (compression: string, threshold: number) => Fixture | Promise<Fixture>,
  backendFailure: string,
): void {
  for (const compression of ["", "gzip"] as const) {
    storeBackendSuite({
      name: `StateStoreObjectStorageBackend ${label} compression="${compression}"`,
      create: () => fixture(compression, 0),
      skip: { "backend-failure": backendFailure },
    });
    workerBackendSuite({
      name: `StateStoreObjectStorageBackend ${label} worker compression="${compression}" threshold=${THRESHOLD}`,
      create: () => fixture(compression, THRESHOLD),
    });
  }
}
