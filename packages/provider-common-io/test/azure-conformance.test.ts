import { randomBytes } from "node:crypto";
import { type AzuriteHandle, startAzurite } from "@tidemark/testkit/azurite";
import { afterAll, beforeAll } from "vitest";
import { StateStoreObjectStorageBackend } from "../src/index.js";
import { objectStorageSuites, readable } from "./support/object-storage-suites.js";

let azurite: AzuriteHandle;
beforeAll(async () => {
  azurite = await startAzurite();
}, 60_000);
afterAll(async () => {
  await azurite?.stop();
});

// A backend on a fresh prefix of the one Azurite container, so tests stay apart.
objectStorageSuites(
  "az:// (Azurite)",
  (compression, threshold) => {
    const backend = new StateStoreObjectStorageBackend({
      path: `az://conformance@${azurite.container}/run-${randomBytes(6).toString("hex")}/`,
      compression,
      threshold,
      env: azurite.connectionEnv("conformance"),
    });
    return { backend, threshold, objectExists: (ref: string) => readable(backend, ref) };
  },
  "Azurite is shared by every case of this file; a stopped endpoint is covered by azure-backend.test.ts",
);
