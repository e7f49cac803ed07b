import { randomBytes } from "node:crypto";
import { isStateStoreError } from "@tidemark/state";
import { storeBackendSuite, workerBackendSuite } from "@tidemark/testkit";
import { type AzuriteHandle, startAzurite } from "@tidemark/testkit/azurite";
import { afterAll, beforeAll } from "vitest";
import { StateStoreObjectStorageBackend } from "../src/index.js";

const THRESHOLD = 64;

let azurite: AzuriteHandle;
beforeAll(async () => {
  azurite = await startAzurite();
}, 60_000);
afterAll(async () => {
  await azurite?.stop();
});

/** Whether the object behind a reference exists, asked through the backend's own read hooks. */
async function readable(backend: StateStoreObjectStorageBackend, ref: string): Promise<boolean> {
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

/** A backend on a fresh prefix of the one Azurite container, so tests stay apart. */
function azureFixture(compression: string, threshold = 0) {
  const backend = new StateStoreObjectStorageBackend({
    path: `az://conformance@${azurite.container}/run-${randomBytes(6).toString("hex")}/`,
    compression,
    threshold,
    env: azurite.connectionEnv("conformance"),
  });
  return { backend, threshold, objectExists: (ref: string) => readable(backend, ref) };
}

for (const compression of ["", "gzip"] as const) {
  storeBackendSuite({
    name: `StateStoreObjectStorageBackend az:// (Azurite) compression="${compression}"`,
    create: () => azureFixture(compression),
    skip: {
      "backend-failure":
        "Azurite is shared by every case of this file; a stopped endpoint is covered by azure-backend.test.ts",
    },
  });
  workerBackendSuite({
    name: `StateStoreObjectStorageBackend az:// (Azurite) worker compression="${compression}" threshold=${THRESHOLD}`,
    create: () => azureFixture(compression, THRESHOLD),
  });
}
