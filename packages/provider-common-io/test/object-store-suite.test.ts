import { randomBytes } from "node:crypto";
import { type AzuriteHandle, startAzurite } from "@tidemark/testkit/azurite";
import { type ObjectStoreUnderTest, objectStoreSuite } from "@tidemark/testkit/object-store";
import { type S3rverHandle, startS3rver } from "@tidemark/testkit/s3rver";
import { makeTempDir } from "@tidemark/testkit/temp-dir";
import { afterAll, beforeAll, expectTypeOf, it } from "vitest";
import { resolveAzureConnection } from "../src/azure-connection.js";
import { AzureObjectStore } from "../src/azure-object-store.js";
import { FileObjectStore } from "../src/file-object-store.js";
import type { ObjectStore } from "../src/index.js";
import { resolveS3Connection } from "../src/s3-connection.js";
import { S3ObjectStore, s3ClientConfigOf } from "../src/s3-object-store.js";

it("publishes an ObjectStore the testkit's suite accepts, and the other way round", () => {
  expectTypeOf<ObjectStore>().toExtend<ObjectStoreUnderTest>();
  expectTypeOf<ObjectStoreUnderTest>().toExtend<ObjectStore>();
});

const run = () => randomBytes(6).toString("hex");

objectStoreSuite({
  name: "FileObjectStore",
  async create() {
    const dir = await makeTempDir("tidemark-object-store-");
    const store = new FileObjectStore(dir.url, dir.path);
    return {
      store,
      async dispose() {
        await store.close();
        await dir.remove();
      },
    };
  },
});

let s3: S3rverHandle;
let azurite: AzuriteHandle;
beforeAll(async () => {
  [s3, azurite] = await Promise.all([startS3rver(), startAzurite()]);
}, 60_000);
afterAll(async () => {
  await Promise.all([s3?.stop(), azurite?.stop()]);
});

objectStoreSuite({
  name: "S3ObjectStore (s3rver)",
  create() {
    const env = s3.connectionEnv("suite");
    const connection = resolveS3Connection("suite", env);
    const prefix = `run-${run()}/`;
    const store = new S3ObjectStore(
      { base: `s3://suite@${s3.bucket}/${prefix}`, bucket: s3.bucket, prefix },
      connection,
      s3ClientConfigOf(connection, env, {}),
    );
    return { store };
  },
  deleteCount: "requested",
  skip: {
    "atomic-overwrite":
      "s3rver rewrites an object's file in place, so a read racing a write is cut short; S3 itself replaces objects atomically",
    "delete-only-if":
      "S3 has no portable conditional delete: the S3 store leaves onlyIf to the metadata check the backend makes just before",
  },
});

objectStoreSuite({
  name: "AzureObjectStore (Azurite)",
  create() {
    const prefix = `run-${run()}/`;
    const store = new AzureObjectStore(
      {
        base: `az://suite@${azurite.container}/${prefix}`,
        container: azurite.container,
        account: undefined,
        prefix,
      },
      resolveAzureConnection("suite", azurite.connectionEnv("suite")),
    );
    return { store };
  },
});
