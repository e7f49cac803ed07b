import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type S3rverHandle, startS3rver } from "@tidemark/testkit/s3rver";
import { makeTempDir } from "@tidemark/testkit/temp-dir";
import { afterAll, beforeAll } from "vitest";
import { StateStoreObjectStorageBackend } from "../src/index.js";
import { objectStorageSuites, readable } from "./support/object-storage-suites.js";

// A backend on a fresh directory.
objectStorageSuites(
  "file://",
  async (compression, threshold) => {
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
  },
  "a local directory cannot be cut off: unreadable paths read as missing keys; failed writes are covered by file-write-failure.test.ts",
);

let s3: S3rverHandle;
beforeAll(async () => {
  s3 = await startS3rver();
}, 60_000);
afterAll(async () => {
  await s3?.stop();
});

// A backend on a fresh prefix of the one s3rver bucket, so tests stay apart.
objectStorageSuites(
  "s3:// (s3rver)",
  (compression, threshold) => {
    const backend = new StateStoreObjectStorageBackend({
      path: `s3://conformance@${s3.bucket}/run-${randomBytes(6).toString("hex")}/`,
      compression,
      threshold,
      env: s3.connectionEnv("conformance"),
    });
    return { backend, threshold, objectExists: (ref: string) => readable(backend, ref) };
  },
  "s3rver is shared by every case of this file; an unreachable endpoint is covered by s3-backend.test.ts",
);
