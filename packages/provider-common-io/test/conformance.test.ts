import { randomBytes } from "node:crypto";
import type { AssetScope } from "@tidemark/state";
import { type AssetIdentity, runStoreBackendConformance } from "@tidemark/testkit";
import { type S3rverHandle, startS3rver } from "@tidemark/testkit/s3rver";
import { afterAll, beforeAll } from "vitest";
import { StateStoreObjectStorageBackend } from "../src/index.js";
import { makeTempDir, type TempDir } from "./support/temp-dir.js";

// Assets addressed by id get ids of their own, so all three identities are exercised.
const assetIds = new Map<string, number>();
function prepareAssetScope(
  _backend: unknown,
  asset: { name: string; uri: string },
  identity: AssetIdentity,
): AssetScope {
  if (identity === "name") return { kind: "asset", name: asset.name };
  if (identity === "uri") return { kind: "asset", uri: asset.uri };
  if (!assetIds.has(asset.name)) assetIds.set(asset.name, assetIds.size + 1);
  return { kind: "asset", assetId: assetIds.get(asset.name) as number };
}

const dirs = new Map<StateStoreObjectStorageBackend, TempDir>();

for (const compression of ["", "gzip"] as const) {
  runStoreBackendConformance(`StateStoreObjectStorageBackend file:// compression="${compression}"`, {
    create: async () => {
      const dir = await makeTempDir();
      const backend = new StateStoreObjectStorageBackend({ path: dir.url, compression });
      dirs.set(backend, dir);
      return backend;
    },
    dispose: async (backend) => {
      await backend.close();
      await dirs.get(backend)?.remove();
      dirs.delete(backend);
    },
    prepareAssetScope,
  });
}

let s3: S3rverHandle;
beforeAll(async () => {
  s3 = await startS3rver();
}, 60_000);
afterAll(async () => {
  await s3?.stop();
});

for (const compression of ["", "gzip"] as const) {
  runStoreBackendConformance(`StateStoreObjectStorageBackend s3:// (s3rver) compression="${compression}"`, {
    // One bucket per run; a fresh prefix per test keeps tests apart.
    create: () =>
      new StateStoreObjectStorageBackend({
        path: `s3://conformance@${s3.bucket}/run-${randomBytes(6).toString("hex")}/`,
        compression,
        env: s3.connectionEnv("conformance"),
      }),
    prepareAssetScope,
  });
}
