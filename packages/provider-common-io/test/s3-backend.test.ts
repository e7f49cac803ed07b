import { randomBytes } from "node:crypto";
import { gunzipSync } from "node:zlib";
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { assetScope, taskScope } from "@tidemark/state";
import { closedPort } from "@tidemark/testkit/process";
import { type S3rverHandle, startS3rver } from "@tidemark/testkit/s3rver";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { StateStoreObjectStorageBackend, type StateStoreObjectStorageOptions } from "../src/index.js";
import { mapLimit } from "../src/map-limit.js";
import { rejection } from "./support/rejection.js";
import { storeOperations } from "./support/store-operations.js";

const SECRET = "Sup3r/Secret+Value-Never-Shown";
const scope = taskScope({ dagId: "dag", runId: "run", taskId: "task", mapIndex: -1 });
const asset = assetScope({ uri: "s3://data/orders.parquet" });

let s3: S3rverHandle;
let client: S3Client;
const open: StateStoreObjectStorageBackend[] = [];

beforeAll(async () => {
  s3 = await startS3rver();
  client = new S3Client(s3.clientConfig);
}, 60_000);
afterEach(async () => {
  for (const b of open.splice(0)) await b.close();
});
afterAll(async () => {
  client?.destroy();
  await s3?.stop();
});

function backend(options: Partial<StateStoreObjectStorageOptions> = {}): StateStoreObjectStorageBackend {
  const b = new StateStoreObjectStorageBackend({
    path: `s3://store@${s3.bucket}/t-${randomBytes(6).toString("hex")}/`,
    env: s3.connectionEnv("store"),
    ...options,
  });
  open.push(b);
  return b;
}

/** The object key in the bucket of a ref (or base) of a backend made by `backend()`. */
function keyOf(ref: string): string {
  return ref.slice(`s3://store@${s3.bucket}/`.length);
}

describe("S3 objects", () => {
  it("writes gzip objects with Content-Type application/json and Content-Encoding gzip, smaller than the text", async () => {
    const b = backend({ compression: "gzip" });
    const value = { rows: Array.from({ length: 500 }, (_, i) => ({ id: i, status: "ok" })) };
    const text = JSON.stringify(value);
    const ref = (await b.serializeAssetStateStoreToRef({ value, text, key: "rows", scope: asset })) as string;
    expect(ref).toBe(`${b.base}assets/s3%3A%2F%2Fdata%2Forders%2Eparquet/rows.gz`);
    const head = await client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: keyOf(ref) }));
    expect(head.ContentType).toBe("application/json");
    expect(head.ContentEncoding).toBe("gzip");
    expect(head.ContentLength).toBeLessThan(Buffer.byteLength(text) / 5);
    const raw = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: keyOf(ref) }));
    expect(
      gunzipSync(
        await (raw.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
      ).toString(),
    ).toBe(text);
    expect(await b.deserializeAssetStateStoreFromRef(ref)).toEqual(value);
    expect(await b.get(asset, "rows")).toBe(text);
  });

  it("writes plain objects verbatim, and expiry as x-amz-meta-expires-at", async () => {
    const b = backend();
    const expiresAt = new Date(Date.now() + 3_600_000);
    await b.set(scope, "job/id", '"app_1"', { expiresAt });
    const key = keyOf(b.refFor(scope, "job/id"));
    expect(key.endsWith("/tasks/dag/run/task/-1/job%2Fid")).toBe(true);
    const head = await client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key }));
    expect(head.ContentType).toBe("application/json");
    expect(head.ContentEncoding).toBeUndefined();
    expect(head.Metadata).toEqual({ "expires-at": expiresAt.toISOString() });
    expect((await b.getEntry(scope, "job/id"))?.expiresAt?.toISOString()).toBe(expiresAt.toISOString());
  });

  it("leaves one object per key when set switches compression back and forth, and reads each value whole", async () => {
    const plain = backend();
    const gzip = backend({ path: plain.base, compression: "gzip" });
    const prefix = keyOf(plain.base);
    const names = async () => {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
      return (listed.Contents ?? []).map((c) => c.Key?.split("/").pop()).sort();
    };
    const big = JSON.stringify("é€𝄞".repeat(100_000)); // multi-byte UTF-8 over many network chunks
    await plain.set(scope, "k", big);
    await plain.set(scope, "k", big);
    expect(await names()).toEqual(["k"]);
    expect(await gzip.get(scope, "k")).toBe(big);
    await gzip.set(scope, "k", '"zipped"');
    expect(await names()).toEqual(["k.gz"]);
    expect(await plain.get(scope, "k")).toBe('"zipped"');
    await gzip.set(scope, "k", big);
    expect(await names()).toEqual(["k.gz"]);
    expect(await gzip.get(scope, "k")).toBe(big);
    await plain.set(scope, "k", big);
    expect(await names()).toEqual(["k"]);
    expect(await plain.get(scope, "k")).toBe(big);
    expect((await plain.list(scope)).entries.map((e) => e.value)).toEqual([big]);
  });

  it("applies the threshold: limit - 1 bytes inline, limit and limit + 1 bytes offloaded", async () => {
    const b = backend({ threshold: 64 });
    const text = (bytes: number) => JSON.stringify("y".repeat(bytes - 2));
    const refs = [];
    for (const bytes of [63, 64, 65]) {
      refs.push(
        await b.serializeTaskStateStoreToRef({ value: "", text: text(bytes), key: `k${bytes}`, scope }),
      );
    }
    expect(refs[0]).toBeNull();
    expect(refs[1]).toBe(b.refFor(scope, "k64"));
    expect(refs[2]).toBe(b.refFor(scope, "k65"));
    const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: keyOf(b.base) }));
    expect(listed.Contents?.map((c) => c.Key?.split("/").pop()).sort()).toEqual(["k64", "k65"]);
  });

  it("refuses references outside the base with INVALID_VALUE and reports a missing object as NOT_FOUND", async () => {
    const b = backend();
    const ref = (await b.serializeTaskStateStoreToRef({ value: 1, text: "1", key: "k", scope })) as string;
    expect(await b.deserializeTaskStateStoreFromRef(ref)).toBe(1);
    const tail = ref.slice(b.base.length);
    for (const bad of [
      `s3://store@other-bucket/${keyOf(b.base)}${tail}`,
      `s3://${s3.bucket}/${keyOf(b.base)}${tail}`,
      `s3://other@${s3.bucket}/${keyOf(b.base)}${tail}`,
      `s3://store@${s3.bucket}/another-prefix/${tail}`,
      `${b.base}tasks/../../x/run/task/-1/k`,
      `${b.base}tasks/%2e%2e/run/task/-1/k`,
      `${b.base}tasks/dag/run/task/-1/..`,
      `${b.base}tasks/dag/run/task/-1/a\\b`,
      `${b.base}tasks/dag/run/task/-1/k/../k`,
      `${b.base}`,
      "file:///etc/passwd",
      "no-scheme",
    ]) {
      expect((await rejection(b.deserializeTaskStateStoreFromRef(bad))).code, bad).toBe("INVALID_VALUE");
    }
    const missing = b.refFor(scope, "missing");
    const error = await rejection(b.deserializeTaskStateStoreFromRef(missing));
    expect(error.code).toBe("NOT_FOUND");
    expect(error.message).toContain(missing);
  });

  it("clears more than 1000 objects across pages and batches, all map indices, and leaves task t2 alone", async () => {
    const b = backend();
    const scopes = [0, 1, 2].map((mapIndex) => taskScope({ dagId: "d", runId: "r", taskId: "t", mapIndex }));
    const t2 = taskScope({ dagId: "d", runId: "r", taskId: "t2", mapIndex: 0 });
    const writes = Array.from({ length: 1050 }, (_, i) => [scopes[i % 3], `k${i}`] as const);
    await mapLimit(writes, 16, ([s, k]) => b.set(s as (typeof scopes)[number], k, "1"));
    await b.set(t2, "k0", '"bystander"');
    await b.clear(scopes[0] as (typeof scopes)[number], { allMapIndices: true });
    const left = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: keyOf(b.base) }));
    expect(left.Contents?.map((c) => c.Key?.slice(keyOf(b.base).length))).toEqual(["tasks/d/r/t2/0/k0"]);
    expect(await b.get(t2, "k0")).toBe('"bystander"');
  }, 180_000);

  it("lists a long key by the key kept in x-amz-meta-state-key", async () => {
    const b = backend({ compression: "gzip" });
    const long = "Ω".repeat(400);
    await b.set(asset, long, '"long"');
    const [name] = keyOf(b.refFor(asset, long)).split("/").slice(-1);
    expect(name).toMatch(/\.[0-9a-f]{64}\.gz$/);
    const page = await b.list(asset);
    expect(page.entries.map((e) => [e.key, e.value])).toEqual([[long, '"long"']]);
  });

  it("cleans up expired task objects and counts them", async () => {
    let now = new Date("2030-01-01T00:00:00Z");
    const b = backend({ now: () => now, compression: "gzip" });
    await b.set(scope, "a", "1", { expiresAt: new Date("2030-01-01T00:00:30Z") });
    await b.set(scope, "b", "2", { expiresAt: new Date("2030-01-01T00:00:30Z") });
    await b.set(scope, "c", "3");
    now = new Date("2030-01-01T00:01:00Z");
    expect(await b.get(scope, "a")).toBeNull();
    expect((await b.cleanup({ dryRun: true })).deleted).toEqual({ objects: 2 });
    expect((await b.cleanup()).deleted).toEqual({ objects: 2 });
    expect((await b.list(scope)).entries.map((e) => e.key)).toEqual(["c"]);
  });
});

describe("S3 failures", () => {
  it("reports an endpoint that is down as BACKEND_UNAVAILABLE with the cause, never the secret", async () => {
    const port = await closedPort();
    const uri = `s3://AKIADOWN:${encodeURIComponent(SECRET)}@/?endpoint_url=${encodeURIComponent(`http://127.0.0.1:${port}`)}&force_path_style=true`;
    const b = backend({ path: "s3://down@tidemark-down/x/", env: { TIDEMARK_CONN_DOWN: uri } });
    for (const attempt of storeOperations(b, scope)) {
      const error = await rejection(attempt());
      expect(error.code).toBe("BACKEND_UNAVAILABLE");
      expect(error.cause).toBeInstanceOf(Error);
      expect(error.message).toContain(`127.0.0.1:${port}`);
      expect(error.message).toContain("ECONNREFUSED");
      expect(error.message).not.toContain(SECRET);
      expect(error.message).not.toContain(encodeURIComponent(SECRET));
    }
  }, 60_000);

  it("reports a missing bucket as BACKEND_UNAVAILABLE naming the bucket, with the cause", async () => {
    const b = backend({ path: "s3://store@no-such-bucket-here/x/" });
    for (const attempt of storeOperations(b, scope)) {
      const error = await rejection(attempt());
      expect(error.code).toBe("BACKEND_UNAVAILABLE");
      expect(error.message).toContain('bucket "no-such-bucket-here" does not exist');
      expect((error.cause as Error).name).toBe("NoSuchBucket");
    }
  });

  it("reports rejected credentials as FORBIDDEN, leaving the previous value readable", async () => {
    const good = backend();
    await good.set(scope, "k", '"kept"');
    const badUri = `s3://WRONGKEY:${encodeURIComponent(SECRET)}@/?endpoint_url=${encodeURIComponent(s3.endpoint)}&force_path_style=true`;
    const bad = backend({
      path: good.base.replace("s3://store@", "s3://bad@"),
      env: { TIDEMARK_CONN_BAD: badUri },
    });
    for (const attempt of [() => bad.set(scope, "k", '"lost?"'), () => bad.get(scope, "k")]) {
      const error = await rejection(attempt());
      expect(error.code).toBe("FORBIDDEN");
      expect(error.message).toContain("TIDEMARK_CONN_BAD");
      expect(error.message).not.toContain(SECRET);
      expect(error.cause).toBeInstanceOf(Error);
    }
    expect(await good.get(scope, "k")).toBe('"kept"');
  });

  it("refuses an object that is not valid gzip with INVALID_VALUE", async () => {
    const b = backend({ compression: "gzip" });
    const ref = b.refFor(scope, "k");
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: keyOf(ref), Body: "plain" }));
    expect((await rejection(b.deserializeTaskStateStoreFromRef(ref))).code).toBe("INVALID_VALUE");
  });
});
