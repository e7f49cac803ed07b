import { writeFileSync } from "node:fs";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";
import { assetScope, createStateStore, type TaskScope, taskScope } from "@tidemark/state";
import { listFiles, makeTempDir, type TempDir } from "@tidemark/testkit/temp-dir";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileObjectStore } from "../src/file-object-store.js";
import { StateStoreObjectStorageBackend, type StateStoreObjectStorageOptions } from "../src/index.js";
import { rejection } from "./support/rejection.js";

const scope = taskScope({ dagId: "dag", runId: "run", taskId: "task", mapIndex: -1 });
const asset = assetScope({ name: "orders" });

let root: TempDir;
let baseDir: string;
const open: StateStoreObjectStorageBackend[] = [];

function backend(options: Partial<StateStoreObjectStorageOptions> = {}): StateStoreObjectStorageBackend {
  const b = new StateStoreObjectStorageBackend({ path: `${root.url}base/`, ...options });
  open.push(b);
  return b;
}

beforeEach(async () => {
  root = await makeTempDir();
  baseDir = join(root.path, "base");
});
afterEach(async () => {
  for (const b of open.splice(0)) await b.close();
  await root.remove();
});

describe("worker hooks on file://", () => {
  it("keeps text smaller than the threshold inline and offloads text of threshold bytes or more", async () => {
    const b = backend({ threshold: 10 });
    const text = (bytes: number) => JSON.stringify("x".repeat(bytes - 2));
    expect(await b.serializeTaskStateStoreToRef({ value: "", text: text(9), key: "k9", scope })).toBeNull();
    const at = await b.serializeTaskStateStoreToRef({ value: "", text: text(10), key: "k10", scope });
    const over = await b.serializeTaskStateStoreToRef({ value: "", text: text(11), key: "k11", scope });
    expect(at).toBe(b.refFor(scope, "k10"));
    expect(over).toBe(b.refFor(scope, "k11"));
    expect(await b.deserializeTaskStateStoreFromRef(at as string)).toBe("x".repeat(8));
    expect(await b.get(scope, "k9")).toBeNull(); // inline values never reach the store
  });

  it("counts the threshold in UTF-8 bytes, not characters", async () => {
    const b = backend({ threshold: 10 });
    const text = JSON.stringify("éééé"); // 6 characters, 10 bytes
    expect(text.length).toBe(6);
    expect(
      await b.serializeAssetStateStoreToRef({ value: "éééé", text, key: "k", scope: asset }),
    ).not.toBeNull();
  });

  it("offloads every value, even the smallest, with threshold 0", async () => {
    const b = backend({ threshold: 0 });
    const ref = await b.serializeTaskStateStoreToRef({ value: 1, text: "1", key: "one", scope });
    expect(ref).not.toBeNull();
    expect(await b.deserializeTaskStateStoreFromRef(ref as string)).toBe(1);
  });

  it("returns a deterministic file:// URL inside the base, holding the JSON text verbatim", async () => {
    const b = backend();
    const text = '{"job":"app_1","n":[1,2]}';
    const ref1 = await b.serializeTaskStateStoreToRef({ value: null as never, text, key: "job/id", scope });
    const ref2 = await b.serializeTaskStateStoreToRef({ value: null as never, text, key: "job/id", scope });
    expect(ref1).toBe(ref2);
    expect(ref1).toBe(`${root.url}base/tasks/dag/run/task/-1/job%252Fid`);
    const file = fileURLToPath(ref1 as string);
    expect(file).toBe(join(baseDir, "tasks/dag/run/task/-1/job%2Fid"));
    expect(await readFile(file, "utf8")).toBe(text);
    expect(await b.deserializeTaskStateStoreFromRef(ref1 as string)).toEqual({ job: "app_1", n: [1, 2] });
  });

  it("round-trips through gzip and stores fewer bytes than the text of a compressible value", async () => {
    const b = backend({ compression: "gzip" });
    const value = { rows: Array.from({ length: 500 }, (_, i) => ({ id: i, status: "ok", note: "same" })) };
    const text = JSON.stringify(value);
    const ref = (await b.serializeAssetStateStoreToRef({ value, text, key: "rows", scope: asset })) as string;
    expect(ref.endsWith("/assets/orders/rows.gz")).toBe(true);
    const file = fileURLToPath(ref);
    const stored = await readFile(file);
    expect(stored.length).toBeLessThan(Buffer.byteLength(text) / 5);
    expect(gunzipSync(stored).toString("utf8")).toBe(text);
    expect(await b.deserializeAssetStateStoreFromRef(ref)).toEqual(value);
    // The server role reads the same object.
    expect(await b.get(asset, "rows")).toBe(text);
  });

  it("reports a missing object as NOT_FOUND with the reference in the message", async () => {
    const b = backend();
    const ref = b.refFor(scope, "gone");
    const error = await rejection(b.deserializeTaskStateStoreFromRef(ref));
    expect(error.code).toBe("NOT_FOUND");
    expect(error.message).toContain(ref);
  });

  it("refuses references outside the base, or of the other kind, with INVALID_VALUE", async () => {
    const b = backend();
    await b.set(scope, "k", '"v"');
    await b.set(asset, "k", '"v"');
    const good = b.refFor(scope, "k");
    await mkdir(join(root.path, "secret"), { recursive: true });
    await writeFile(join(root.path, "secret", "k"), '"stolen"');
    const bad = [
      `${root.url}secret/k`,
      `${root.url}base/../secret/k`,
      `${root.url}base/%2e%2e/secret/k`,
      `${root.url}base/tasks/dag/run/task/-1/..%2F..%2F..%2F..%2F..%2Fsecret%2Fk`,
      `${root.url}base/tasks/dag/run/task/-1/%252e%252e`,
      `${root.url}base/tasks/dag/run/task/-1/a%5Cb`,
      `${root.url}base/tasks/dag/run/task/-1/k/`,
      `${root.url}base/tasks/dag/run/task/-1`,
      `${root.url}base/`,
      good.replace("file:///", "file://localhost/"),
      "file:///etc/passwd",
      "s3://bucket/tasks/dag/run/task/-1/k",
      "tasks/dag/run/task/-1/k",
      "/etc/passwd",
      "not a reference",
      "",
      b.refFor(asset, "k"),
    ];
    for (const ref of bad) {
      const error = await rejection(b.deserializeTaskStateStoreFromRef(ref));
      expect(error.code, ref).toBe("INVALID_VALUE");
    }
    expect((await rejection(b.deserializeAssetStateStoreFromRef(good))).code).toBe("INVALID_VALUE");
    expect(await b.deserializeTaskStateStoreFromRef(good)).toBe("v");
  });

  it("refuses a corrupt object with INVALID_VALUE", async () => {
    const b = backend({ compression: "gzip" });
    const ref = b.refFor(scope, "k");
    await mkdir(join(baseDir, "tasks/dag/run/task/-1"), { recursive: true });
    await writeFile(fileURLToPath(ref), "not gzip");
    expect((await rejection(b.deserializeTaskStateStoreFromRef(ref))).code).toBe("INVALID_VALUE");
    expect((await rejection(b.get(scope, "k"))).code).toBe("INVALID_VALUE");
  });
});

describe("paths on file://", () => {
  it("keeps every key, dag id and asset name inside the base, whatever it holds", async () => {
    const b = backend({ compression: "gzip" });
    const nasty = [
      "../escape",
      "../../../../../../etc/passwd",
      "..\\..\\windows",
      "/etc/passwd",
      "C:\\Windows\\system32",
      "%2e%2e/%2e%2e/x",
      "%2E%2E",
      "a/../../b",
      "./.",
      "~/x",
      ".hidden",
      ".tmp-1234",
    ];
    for (const [i, id] of nasty.entries()) {
      const task = taskScope({ dagId: id, runId: id, taskId: id, mapIndex: -1 });
      await b.set(task, id, String(i));
      await b.set(assetScope({ name: id }), id, String(i));
      await b.set(assetScope({ uri: `file://${id}` }), id, String(i));
      expect(await b.serializeTaskStateStoreToRef({ value: i, text: String(i), key: id, scope: task })).toBe(
        b.refFor(task, id),
      );
    }
    const files = await listFiles(root.path);
    expect(files.length).toBe(nasty.length * 3);
    for (const file of files) expect(file.startsWith(`${baseDir}/`), file).toBe(true);
    for (const [i, id] of nasty.entries()) {
      const task = taskScope({ dagId: id, runId: id, taskId: id, mapIndex: -1 });
      expect(await b.get(task, id)).toBe(String(i));
      expect(await b.get(assetScope({ name: id }), id)).toBe(String(i));
      expect(await b.deserializeTaskStateStoreFromRef(b.refFor(task, id))).toBe(i);
    }
  });

  it('rejects "." and ".." as keys (INVALID_KEY) and as ids (INVALID_SCOPE), writing nothing', async () => {
    const b = backend();
    for (const key of [".", ".."]) {
      expect((await rejection(b.set(scope, key, "1"))).code).toBe("INVALID_KEY");
      expect((await rejection(b.get(scope, key))).code).toBe("INVALID_KEY");
      expect(
        (await rejection(b.serializeTaskStateStoreToRef({ value: 1, text: "1", key, scope }))).code,
      ).toBe("INVALID_KEY");
    }
    for (const id of [".", ".."]) {
      const bad: TaskScope = { ...scope, runId: id };
      expect((await rejection(b.set(bad, "k", "1"))).code).toBe("INVALID_SCOPE");
      expect((await rejection(b.clear(bad))).code).toBe("INVALID_SCOPE");
      expect((await rejection(b.set(assetScope({ name: id }), "k", "1"))).code).toBe("INVALID_SCOPE");
    }
    await expect(stat(baseDir)).rejects.toThrow();
  });

  it("keeps a dag named assets apart from asset state, in set and in clear", async () => {
    const b = backend();
    const dag = taskScope({ dagId: "assets", runId: "orders", taskId: "wm", mapIndex: -1 });
    await b.set(dag, "wm", '"task"');
    await b.set(asset, "wm", '"asset"');
    await b.clear(asset);
    expect(await b.get(dag, "wm")).toBe('"task"');
    expect(await b.get(asset, "wm")).toBeNull();
  });

  it("clears all map indices of task t without touching task t2, and removes emptied directories", async () => {
    const b = backend();
    const t0 = taskScope({ dagId: "d", runId: "r", taskId: "t", mapIndex: 0 });
    const t5 = taskScope({ dagId: "d", runId: "r", taskId: "t", mapIndex: 5 });
    const t2 = taskScope({ dagId: "d", runId: "r", taskId: "t2", mapIndex: 0 });
    await b.set(t0, "k", "0");
    await b.set(t5, "k", "5");
    await b.set(t2, "k", "2");
    await b.clear(t0, { allMapIndices: true });
    expect(await b.get(t0, "k")).toBeNull();
    expect(await b.get(t5, "k")).toBeNull();
    expect(await b.get(t2, "k")).toBe("2");
    await expect(stat(join(baseDir, "tasks/d/r/t"))).rejects.toThrow();
    await b.clear(t2);
    await expect(stat(join(baseDir, "tasks"))).rejects.toThrow();
    expect((await stat(baseDir)).isDirectory()).toBe(true);
  });
});

describe("server role on file://", () => {
  it("keeps expiry in a header only when there is one, and reports it in getEntry", async () => {
    const b = backend();
    const expiresAt = new Date(Date.now() + 3_600_000);
    await b.set(scope, "plain", '"p"');
    await b.set(scope, "expiring", '"e"', { expiresAt });
    const dir = join(baseDir, "tasks/dag/run/task/-1");
    expect(await readFile(join(dir, "plain"), "utf8")).toBe('"p"');
    const raw = await readFile(join(dir, "expiring"), "utf8");
    expect(raw).toBe(`\u0000tidemark-meta {"expires-at":"${expiresAt.toISOString()}"}\n"e"`);
    const entry = await b.getEntry(scope, "expiring");
    expect(entry?.value).toBe('"e"');
    expect(entry?.expiresAt?.toISOString()).toBe(expiresAt.toISOString());
    expect(entry?.updatedAt).toBeInstanceOf(Date);
    expect(entry?.version).toBeNull();
    // Asset state never expires: expiresAt is ignored for asset scopes.
    await b.set(asset, "wm", '"a"', { expiresAt: new Date(Date.now() - 1000) });
    expect(await b.get(asset, "wm")).toBe('"a"');
  });

  it("filters expired values on read and reports cleanup counts as {objects: n}", async () => {
    let now = new Date("2030-01-01T00:00:00Z");
    const b = backend({ now: () => now });
    await b.set(scope, "soon", "1", { expiresAt: new Date("2030-01-01T00:01:00Z") });
    await b.set(scope, "later", "2", { expiresAt: new Date("2030-01-02T00:00:00Z") });
    await b.set(scope, "never", "3");
    expect(await b.get(scope, "soon")).toBe("1");
    now = new Date("2030-01-01T00:01:00Z");
    expect(await b.get(scope, "soon")).toBeNull();
    expect((await b.list(scope)).entries.map((e) => e.key)).toEqual(["later", "never"]);
    const progress: number[] = [];
    const dry = await b.cleanup({ dryRun: true, onProgress: (p) => progress.push(p.done) });
    expect(dry).toMatchObject({ dryRun: true, deleted: { objects: 1 } });
    expect(typeof dry.durationMs).toBe("number");
    expect(progress.at(-1)).toBe(1);
    expect(await listFiles(baseDir)).toHaveLength(3);
    expect((await b.cleanup()).deleted).toEqual({ objects: 1 });
    expect(await listFiles(baseDir)).toHaveLength(2);
    expect((await b.cleanup()).deleted).toEqual({ objects: 0 });
  });

  it("pages by cursor, the last key of a page, until nextCursor is null", async () => {
    const b = backend();
    for (const k of ["c", "a", "report/2", "b", "report/1"]) await b.set(scope, k, "1");
    const first = await b.list(scope, { limit: 2 });
    expect(first).toMatchObject({ total: 5, nextCursor: "b" });
    const second = await b.list(scope, { limit: 2, cursor: "b" });
    expect(second.entries.map((e) => e.key)).toEqual(["c", "report/1"]);
    const last = await b.list(scope, { limit: 2, cursor: "report/1" });
    expect(last.entries.map((e) => e.key)).toEqual(["report/2"]);
    expect(last.nextCursor).toBeNull();
    // A key deleted meanwhile shifts nothing: the page starts after the cursor's key.
    await b.delete(scope, "c");
    expect((await b.list(scope, { limit: 2, cursor: "b" })).entries.map((e) => e.key)).toEqual([
      "report/1",
      "report/2",
    ]);
    expect(await b.list(scope, { prefix: "report/", limit: 1 })).toMatchObject({ nextCursor: "report/1" });
  });

  it("deletes the objects of inactive assets in cleanup, and only theirs", async () => {
    const b = backend();
    const gone = assetScope({ assetId: 7, name: "gone", uri: "s3://b/gone" });
    const kept = assetScope({ assetId: 8, name: "kept", uri: "s3://b/kept" });
    await b.set(gone, "wm", '"a"');
    await b.set(gone, "other", '"b"');
    await b.set(kept, "wm", '"c"');
    const store = createStateStore(b, { inactiveAssets: async () => [gone] });
    expect((await store.cleanup({ dryRun: true })).deleted).toEqual({ objects: 0, asset_objects: 2 });
    expect(await b.get(gone, "wm")).toBe('"a"');
    expect((await store.cleanup()).deleted).toEqual({ objects: 0, asset_objects: 2 });
    expect(await b.get(gone, "wm")).toBeNull();
    expect((await b.list(gone)).entries).toEqual([]);
    expect(await b.get(kept, "wm")).toBe('"c"');
  });

  it("never deletes, in cleanup's guarded delete, a value rewritten after it was found expired", async () => {
    const store = new FileObjectStore(`${root.url}base/`, `${baseDir}/`);
    const put = (text: string) =>
      store.put("tasks/d/r/t/-1/k", {
        body: Buffer.from(text),
        contentType: "application/json",
        metadata: {},
      });
    await put('"old"');
    // The rewrite lands after the old object was set aside and while it is re-checked; it must survive
    // whatever the check decides.
    for (const decision of [false, true]) {
      const deleted = await store.deleteMany(["tasks/d/r/t/-1/k"], () => {
        writeFileSync(join(baseDir, "tasks/d/r/t/-1/k"), '"new"');
        return decision;
      });
      expect(deleted).toBe(decision ? 1 : 0);
      expect(await readFile(join(baseDir, "tasks/d/r/t/-1/k"), "utf8")).toBe('"new"');
      expect((await listFiles(baseDir)).length).toBe(1);
      await put('"old"');
    }
  });

  it("reads values written under the other compression setting and replaces them on write", async () => {
    const gz = backend({ compression: "gzip" });
    const plain = backend();
    await gz.set(scope, "k", '"zipped"');
    expect(await plain.get(scope, "k")).toBe('"zipped"');
    await plain.set(scope, "k", '"plain"');
    expect(await gz.get(scope, "k")).toBe('"plain"');
    expect((await listFiles(baseDir)).map((f) => f.slice(baseDir.length))).toEqual([
      "/tasks/dag/run/task/-1/k",
    ]);
    await gz.set(scope, "k2", "1");
    await plain.delete(scope, "k2");
    expect(await gz.get(scope, "k2")).toBeNull();
  });

  it("lists long keys, whose path segment is hashed, by the key kept in the header", async () => {
    const b = backend();
    const long = `report/${"ü".repeat(300)}`;
    await b.set(scope, long, '"long"');
    await b.set(scope, "report/short", '"short"');
    await b.set(scope, "other", '"o"');
    const page = await b.list(scope, { prefix: "report/" });
    expect(page.total).toBe(2);
    expect(page.entries.map((e) => [e.key, e.value])).toEqual([
      ["report/short", '"short"'],
      [long, '"long"'],
    ]);
    expect(await b.get(scope, long)).toBe('"long"');
    await b.delete(scope, long);
    expect(await b.get(scope, long)).toBeNull();
  });

  it("reads header-prefixed objects of every size verbatim, the header split off, in get, list and the hooks", async () => {
    const expiresAt = new Date(Date.now() + 3_600_000);
    // Sizes around the 64 KB first read; multi-byte UTF-8 everywhere (a chunk boundary could split one)
    // and a byte order mark in front, which must be kept.
    for (const compression of ["", "gzip"] as const) {
      const b = backend({ compression, threshold: 0 });
      for (const size of [0, 10, 64 * 1024 - 40, 64 * 1024 + 7, 300_000]) {
        const text = `\ufeff${JSON.stringify("é€𝄞".repeat(Math.ceil(size / 9)))}`;
        const long = `k${size}/${"ü".repeat(200)}`; // hashed segment: the key goes in the header too
        await b.set(scope, long, text, { expiresAt });
        expect(await b.get(scope, long), `${compression} ${size}`).toBe(text);
        const entry = await b.getEntry(scope, long);
        expect(entry?.value).toBe(text);
        expect(entry?.expiresAt?.toISOString()).toBe(expiresAt.toISOString());
        const listed = await b.list(scope, { prefix: `k${size}/` });
        expect(listed.entries.map((e) => [e.key, e.value])).toEqual([[long, text]]);
        // The hooks decode the JSON, which refuses a byte order mark: offload the text without it.
        const json = text.slice(1);
        const ref = await b.serializeTaskStateStoreToRef({ value: null, text: json, key: long, scope });
        expect(ref).not.toBeNull();
        expect(await b.deserializeTaskStateStoreFromRef(ref as string)).toBe(JSON.parse(json));
        await b.clear(scope);
      }
    }
  });

  it("reports the stored size without the header, and the body bytes exactly as written", async () => {
    const store = new FileObjectStore(`${root.url}base/`, `${baseDir}/`);
    for (const size of [0, 100, 200_000]) {
      const body = Buffer.alloc(size, 0x61);
      await store.put("tasks/d/r/t/-1/k", {
        body,
        contentType: "application/json",
        metadata: { "expires-at": "x" },
      });
      const object = await store.get("tasks/d/r/t/-1/k");
      expect(object?.head.size).toBe(size);
      expect(object?.head.metadata).toEqual({ "expires-at": "x" });
      expect(Buffer.isBuffer(object?.body) && object.body.equals(body)).toBe(true);
      expect((await store.head("tasks/d/r/t/-1/k"))?.size).toBe(size);
    }
  });

  it("refuses an uncompressed object that is not valid UTF-8 with INVALID_VALUE, with or without a header", async () => {
    const b = backend();
    const dir = join(baseDir, "tasks/dag/run/task/-1");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "bad"), Buffer.from([0x22, 0xff, 0xfe, 0x22]));
    await writeFile(
      join(dir, "bad2"),
      Buffer.concat([
        Buffer.from('\u0000tidemark-meta {"expires-at":"2999-01-01T00:00:00Z"}\n'),
        Buffer.from([0xc3]),
      ]),
    );
    expect((await rejection(b.get(scope, "bad"))).code).toBe("INVALID_VALUE");
    expect((await rejection(b.get(scope, "bad2"))).code).toBe("INVALID_VALUE");
    expect((await rejection(b.deserializeTaskStateStoreFromRef(b.refFor(scope, "bad")))).code).toBe(
      "INVALID_VALUE",
    );
  });

  it("reads gzip data of several members whole, and refuses one whose trailer does not match its data", async () => {
    const b = backend({ compression: "gzip" });
    const dir = join(baseDir, "tasks/dag/run/task/-1");
    await mkdir(dir, { recursive: true });
    // The last member's trailer gives only its own size: the reader must not trust it for the whole.
    const first = `"${"a".repeat(200_000)}`;
    const second = `${"é".repeat(1000)}"`;
    await writeFile(join(dir, "multi.gz"), Buffer.concat([gzipSync(first), gzipSync(second)]));
    expect(await b.get(scope, "multi")).toBe(first + second);
    const lying = gzipSync('"short"');
    lying.writeUInt32LE(1_000, lying.length - 4);
    await writeFile(join(dir, "lying.gz"), lying);
    expect((await rejection(b.get(scope, "lying"))).code).toBe("INVALID_VALUE");
  });

  it("refuses compare-and-set through the state store with NOT_SUPPORTED, writing nothing", async () => {
    const b = backend();
    const store = createStateStore(b);
    expect((await rejection(store.set(scope, "k", 1, { ifAbsent: true }))).code).toBe("NOT_SUPPORTED");
    expect((await rejection(store.set(scope, "k", 1, { ifVersion: 1 }))).code).toBe("NOT_SUPPORTED");
    expect((await rejection(store.delete(scope, "k", { ifVersion: 1 }))).code).toBe("NOT_SUPPORTED");
    expect(await b.get(scope, "k")).toBeNull();
    expect(await listFiles(root.path)).toEqual([]);
  });
});
