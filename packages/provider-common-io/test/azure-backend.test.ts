import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  BlobServiceClient,
  type ContainerClient,
  generateAccountSASQueryParameters,
  StorageSharedKeyCredential,
} from "@azure/storage-blob";
import { assetScope, taskScope } from "@tidemark/state";
import { type AzuriteHandle, startAzurite } from "@tidemark/testkit/azurite";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { resolveAzureConnection } from "../src/azure-connection.js";
import { AzureObjectStore } from "../src/azure-object-store.js";
import { StateStoreObjectStorageBackend, type StateStoreObjectStorageOptions } from "../src/index.js";
import { rejection } from "./support/rejection.js";
import { storeOperations } from "./support/store-operations.js";

const scope = taskScope({ dagId: "dag", runId: "run", taskId: "task", mapIndex: -1 });
const asset = assetScope({ uri: "s3://data/orders.parquet" });
/** Fail fast against a stopped endpoint: the default retries are for real networks. */
const NO_RETRY = { retryOptions: { maxTries: 1 } };
const putBlobChild = fileURLToPath(new URL("./support/put-blob-child.mjs", import.meta.url));

let azurite: AzuriteHandle;
let container: ContainerClient;
const open: StateStoreObjectStorageBackend[] = [];

beforeAll(async () => {
  azurite = await startAzurite();
  container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
    azurite.container,
  );
}, 60_000);
afterEach(async () => {
  for (const b of open.splice(0)) await b.close();
});
afterAll(async () => {
  await azurite?.stop();
});

const run = () => `t-${randomBytes(6).toString("hex")}`;

function backend(options: Partial<StateStoreObjectStorageOptions> = {}): StateStoreObjectStorageBackend {
  const b = new StateStoreObjectStorageBackend({
    path: `az://store@${azurite.container}/${run()}/`,
    env: azurite.connectionEnv("store"),
    ...options,
  });
  open.push(b);
  return b;
}

/** The blob name of a ref (or base) of a backend made by `backend()`. */
function nameOf(ref: string): string {
  return ref.replace(/^[a-z]+:\/\/[^/]*\//, "");
}

async function names(prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const blob of container.listBlobsFlat({ prefix })) out.push(blob.name.slice(prefix.length));
  return out.sort();
}

describe("Azure Blob objects", () => {
  it("writes gzip blobs with Content-Type application/json and Content-Encoding gzip, smaller than the text", async () => {
    const b = backend({ compression: "gzip" });
    const value = { rows: Array.from({ length: 500 }, (_, i) => ({ id: i, status: "ok" })) };
    const text = JSON.stringify(value);
    const ref = (await b.serializeAssetStateStoreToRef({ value, text, key: "rows", scope: asset })) as string;
    expect(ref).toBe(`${b.base}assets/s3%3A%2F%2Fdata%2Forders%2Eparquet/rows.gz`);
    const blob = container.getBlobClient(nameOf(ref));
    const properties = await blob.getProperties();
    expect(properties.contentType).toBe("application/json");
    expect(properties.contentEncoding).toBe("gzip");
    expect(properties.contentLength).toBeLessThan(Buffer.byteLength(text) / 5);
    expect(gunzipSync(await blob.downloadToBuffer()).toString()).toBe(text);
    expect(await b.deserializeAssetStateStoreFromRef(ref)).toEqual(value);
    expect(await b.get(asset, "rows")).toBe(text);
  });

  it("writes plain blobs verbatim, and expiry as blob metadata expires_at", async () => {
    const b = backend();
    const expiresAt = new Date(Date.now() + 3_600_000);
    await b.set(scope, "job/id", '"app_1"', { expiresAt });
    const name = nameOf(b.refFor(scope, "job/id"));
    expect(name.endsWith("/tasks/dag/run/task/-1/job%2Fid")).toBe(true);
    const properties = await container.getBlobClient(name).getProperties();
    expect(properties.contentEncoding).toBeUndefined();
    expect(properties.metadata).toEqual({ expires_at: expiresAt.toISOString() });
    expect((await container.getBlobClient(name).downloadToBuffer()).toString()).toBe('"app_1"');
    expect((await b.getEntry(scope, "job/id"))?.expiresAt?.toISOString()).toBe(expiresAt.toISOString());
  });

  it("lists a long key by the key kept in the state_key metadata, and cleans up expired blobs", async () => {
    let now = new Date("2030-01-01T00:00:00Z");
    const b = backend({ compression: "gzip", now: () => now });
    const long = "Ω".repeat(400);
    await b.set(asset, long, '"long"');
    expect((await b.list(asset)).entries.map((e) => [e.key, e.value])).toEqual([[long, '"long"']]);
    await b.set(scope, "a", "1", { expiresAt: new Date("2030-01-01T00:00:30Z") });
    await b.set(scope, "c", "3");
    now = new Date("2030-01-01T00:01:00Z");
    expect((await b.cleanup({ dryRun: true })).deleted).toEqual({ objects: 1 });
    expect((await b.cleanup()).deleted).toEqual({ objects: 1 });
    expect((await b.list(scope)).entries.map((e) => e.key)).toEqual(["c"]);
  });

  it("keeps a blob rewritten between its metadata check and the delete (If-Match on the ETag)", async () => {
    const prefix = `${run()}/`;
    const store = new AzureObjectStore(
      {
        base: `az://store@${azurite.container}/${prefix}`,
        container: azurite.container,
        account: undefined,
        prefix,
      },
      resolveAzureConnection("store", azurite.connectionEnv("store")),
    );
    const put = (text: string) =>
      store.put("k", { body: Buffer.from(text), contentType: "application/json", metadata: {} });
    await put('"old"');
    const deleted = await store.deleteMany(["k"], () => {
      // Runs after the store read the blob's properties and before it deletes: another writer gets in.
      execFileSync(process.execPath, [putBlobChild, azurite.container, `${prefix}k`, '"new"'], {
        env: { ...process.env, AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString },
        timeout: 30_000,
      });
      return true;
    });
    expect(deleted).toBe(0);
    expect((await container.getBlobClient(`${prefix}k`).downloadToBuffer()).toString()).toBe('"new"');
  });

  it("accepts adlfs' abfs:// spellings, with the account in the host or a conn_id", async () => {
    const prefix = run();
    const byHost = backend({
      path: `abfs://${azurite.container}@devstoreaccount1.dfs.core.windows.net/${prefix}`,
      env: { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString },
    });
    expect(byHost.base).toBe(`abfs://${azurite.container}@devstoreaccount1.dfs.core.windows.net/${prefix}/`);
    const ref = (await byHost.serializeTaskStateStoreToRef({
      value: 1,
      text: "1",
      key: "k",
      scope,
    })) as string;
    expect(ref).toBe(`${byHost.base}tasks/dag/run/task/-1/k`);
    const byConn = backend({ path: `abfss://store@${azurite.container}/${prefix}/` });
    expect(await byConn.get(scope, "k")).toBe("1");
    expect(await names(`${prefix}/`)).toEqual(["tasks/dag/run/task/-1/k"]);
  });

  it("connects through an Airflow-style URI or JSON connection (account, key, account_url)", async () => {
    const uri = `wasb://${azurite.accountName}:${encodeURIComponent(azurite.accountKey)}@/?account_url=${encodeURIComponent(azurite.endpoint)}`;
    const json = JSON.stringify({
      login: azurite.accountName,
      password: azurite.accountKey,
      extra: { account_url: azurite.endpoint },
    });
    for (const text of [uri, json]) {
      const b = backend({
        path: `az://conn@${azurite.container}/${run()}/`,
        env: { TIDEMARK_CONN_CONN: text },
      });
      await b.set(scope, "k", '"via connection"');
      expect(await b.get(scope, "k")).toBe('"via connection"');
    }
  });

  it("connects with a SAS token, and a rejected token is FORBIDDEN without the signature in the message", async () => {
    const sas = generateAccountSASQueryParameters(
      {
        expiresOn: new Date(Date.now() + 3_600_000),
        permissions: AccountSASPermissions.parse("rwdlac"),
        resourceTypes: AccountSASResourceTypes.parse("sco").toString(),
        services: AccountSASServices.parse("b").toString(),
      },
      new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey),
    ).toString();
    const connection = (token: string) =>
      `wasb://${azurite.accountName}@/?account_url=${encodeURIComponent(azurite.endpoint)}&sas_token=${encodeURIComponent(token)}`;
    const good = backend({
      path: `az://sas@${azurite.container}/${run()}/`,
      env: { TIDEMARK_CONN_SAS: connection(sas) },
    });
    await good.set(scope, "k", '"signed"');
    expect(await good.get(scope, "k")).toBe('"signed"');
    const signature = new URLSearchParams(sas).get("sig") as string;
    const forged = sas.replace(
      encodeURIComponent(signature),
      encodeURIComponent(`A${signature.slice(1, -2)}B=`),
    );
    const bad = backend({
      path: good.base.replace("az://sas@", "az://forged@"),
      env: { TIDEMARK_CONN_FORGED: connection(forged) },
    });
    const error = await rejection(bad.get(scope, "k"));
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toContain("TIDEMARK_CONN_FORGED");
    expect(error.message).not.toContain(signature);
    expect(error.message).not.toContain(encodeURIComponent(signature));
  });
});

describe("Azure Blob failures", () => {
  it("reports an endpoint that is down as BACKEND_UNAVAILABLE with the cause, never the key", async () => {
    const stopped = await startAzurite();
    const env = stopped.connectionEnv("down");
    await stopped.stop();
    const b = backend({ path: `az://down@${stopped.container}/x/`, env, azureClientOptions: NO_RETRY });
    for (const attempt of storeOperations(b, scope)) {
      const error = await rejection(attempt());
      expect(error.code).toBe("BACKEND_UNAVAILABLE");
      expect(error.cause).toBeInstanceOf(Error);
      expect(error.message).toContain(`127.0.0.1:${stopped.port}`);
      expect(error.message).toContain("ECONNREFUSED");
      expect(error.message).not.toContain(stopped.accountKey);
    }
  }, 60_000);

  it("fails within seconds against a stopped endpoint with the default retries", async () => {
    const stopped = await startAzurite();
    const env = stopped.connectionEnv("down");
    await stopped.stop();
    const b = backend({ path: `az://down@${stopped.container}/x/`, env });
    expect((await rejection(b.get(scope, "k"))).code).toBe("BACKEND_UNAVAILABLE");
  }, 30_000);

  it("reports a missing container as BACKEND_UNAVAILABLE naming the container, with the cause", async () => {
    const b = backend({ path: "az://store@no-such-container/x/" });
    for (const attempt of storeOperations(b, scope)) {
      const error = await rejection(attempt());
      expect(error.code).toBe("BACKEND_UNAVAILABLE");
      expect(error.message).toContain('container "no-such-container" does not exist');
      expect(error.details.errorCode).toBe("ContainerNotFound");
      expect(error.cause).toBeInstanceOf(Error);
    }
  });

  it("reports a wrong account key as FORBIDDEN, leaving the previous value readable", async () => {
    const good = backend();
    await good.set(scope, "k", '"kept"');
    const wrongKey = randomBytes(64).toString("base64");
    const bad = backend({
      path: good.base.replace("az://store@", "az://bad@"),
      env: { TIDEMARK_CONN_BAD: azurite.connectionString.replace(azurite.accountKey, wrongKey) },
    });
    for (const attempt of [
      () => bad.set(scope, "k", '"lost?"'),
      () => bad.get(scope, "k"),
      () => bad.list(scope),
    ]) {
      const error = await rejection(attempt());
      expect(error.code).toBe("FORBIDDEN");
      expect(error.message).toContain("TIDEMARK_CONN_BAD");
      expect(error.message).not.toContain(wrongKey);
      expect(error.cause).toBeInstanceOf(Error);
    }
    expect(await good.get(scope, "k")).toBe('"kept"');
  });

  it("reports a path that names no account as CONFIG_ERROR before contacting anything", async () => {
    const b = backend({ path: `az://${azurite.container}/x/`, env: {} });
    const error = await rejection(b.get(scope, "k"));
    expect(error.code).toBe("CONFIG_ERROR");
    expect(error.message).toContain("names no storage account");
  });

  it("refuses a blob that is not valid gzip with INVALID_VALUE", async () => {
    const b = backend({ compression: "gzip" });
    const ref = b.refFor(scope, "k");
    await container.getBlockBlobClient(nameOf(ref)).uploadData(Buffer.from("plain"));
    expect((await rejection(b.deserializeTaskStateStoreFromRef(ref))).code).toBe("INVALID_VALUE");
  });
});
