import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { isStateStoreError } from "@tidemark/state";
import { storeBackendSuite, workerBackendSuite } from "@tidemark/testkit";
import { type S3rverHandle, startS3rver } from "@tidemark/testkit/s3rver";
import { makeTempDir } from "@tidemark/testkit/temp-dir";
import { afterAll, beforeAll } from "vitest";
import { StateStoreObjectStorageBackend } from "../src/index.js";

const THRESHOLD = 64;

/** Whether the object behind a reference exists, asked through the backend's own read hooks. */
async function readable(backend: StateStoreObjectStorageBackend, ref: string): Promise<boolean> {
  const key = { key: "k" };
  for (const read of [
    () => backend.deserializeTaskStateStoreFromRef(ref, { ...key, scope: undefined as never }),
    () => backend.deserializeAssetStateStoreFromRef(ref, { ...key, scope: undefined as never }),
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

/** A backend on a fresh directory. */
async function fileFixture(compression: string, threshold = 0) {
  const dir = await makeTempDir("tidemark-common-io-");
  const backend = new StateStoreObjectStorageBackend({ path: dir.url, compression, threshold });
  return {
    backend,
    threshold,
    async dispose() {
      await backend.close();
      await dir.remove();
    },
    objectExists: (ref: string) => existsSync(fileURLToPath(ref)),
  };
}

for (const compression of ["", "gzip"] as const) {
  storeBackendSuite({
    name: `StateStoreObjectStorageBackend file:// compression="${compression}"`,
    create: () => fileFixture(compression),
    skip: {
      "backend-failure":
        "a local directory cannot be cut off: unreadable paths read as missing keys; failed writes are covered by file-write-failure.test.ts",
    },
  });
  workerBackendSuite({
    name: `StateStoreObjectStorageBackend file:// worker compression="${compression}" threshold=${THRESHOLD}`,
    create: () => fileFixture(compression, THRESHOLD),
  });
}

let s3: S3rverHandle;
beforeAll(async () => {
  s3 = await startS3rver();
}, 60_000);
afterAll(async () => {
  await s3?.stop();
});

/** A backend on a fresh prefix of the one s3rver bucket, so tests stay apart. */
function s3Fixture(compression: string, threshold = 0) {
  const backend = new StateStoreObjectStorageBackend({
    path: `s3://conformance@${s3.bucket}/run-${randomBytes(6).toString("hex")}/`,
    compression,
    threshold,
    env: s3.connectionEnv("conformance"),
  });
  return { backend, threshold, objectExists: (ref: string) => readable(backend, ref) };
}

for (const compression of ["", "gzip"] as const) {
  storeBackendSuite({
    name: `StateStoreObjectStorageBackend s3:// (s3rver) compression="${compression}"`,
    create: () => s3Fixture(compression),
    skip: {
      "backend-failure":
        "s3rver is shared by every case of this file; an unreachable endpoint is covered by s3-backend.test.ts",
    },
  });
  workerBackendSuite({
    name: `StateStoreObjectStorageBackend s3:// (s3rver) worker compression="${compression}" threshold=${THRESHOLD}`,
    create: () => s3Fixture(compression, THRESHOLD),
  });
}
