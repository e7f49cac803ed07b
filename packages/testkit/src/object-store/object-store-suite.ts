import { randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ObjectStoreFixture } from "./object-store-fixture.js";
import type { ObjectStoreUnderTest } from "./object-store-under-test.js";

/** The groups of {@link objectStoreSuite}; each can be skipped with a stated reason. */
export type ObjectStoreSuiteGroup =
  | "round-trip"
  | "overwrite"
  | "atomic-overwrite"
  | "metadata"
  | "missing"
  | "delete"
  | "delete-only-if"
  | "list"
  | "list-pages"
  | "refs";

/** The harness a store gives {@link objectStoreSuite}. */
export interface ObjectStoreSuiteOptions<S extends ObjectStoreUnderTest = ObjectStoreUnderTest> {
  /** The store's name in the suite title. */
  readonly name: string;
  /** Builds a fresh fixture (an empty store); called before every test. */
  readonly create: () => ObjectStoreFixture<S> | Promise<ObjectStoreFixture<S>>;
  /** Groups to skip, each with the reason printed in the group's title. */
  readonly skip?: Partial<Record<ObjectStoreSuiteGroup, string>>;
  /**
   * What `deleteMany` counts: `"deleted"` (default; missing objects are not counted) or `"requested"`
   * (stores whose batch delete does not say which objects existed, as S3's DeleteObjects).
   */
  readonly deleteCount?: "deleted" | "requested";
  /**
   * Objects written for the paging case (default 1001, one more than a page). A store where that is
   * slow may use fewer, saying why in a comment; with 1000 or fewer the case checks page bounds only.
   */
  readonly listObjects?: number;
  /** Objects written at once while filling the store for the paging case. Default 16. */
  readonly concurrency?: number;
}

const JSON_TYPE = "application/json";

async function bytesOf(body: Buffer | Readable): Promise<Buffer> {
  if (Buffer.isBuffer(body)) return body;
  const chunks: Buffer[] = [];
  for await (const chunk of body)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

async function listAll(store: ObjectStoreUnderTest, prefix: string): Promise<string[][]> {
  const pages: string[][] = [];
  for await (const page of store.list(prefix)) pages.push([...page]);
  return pages;
}

async function inParallel<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/**
 * Registers the conformance suite of the object store contract (`ObjectStore` of
 * `@tidemark/provider-common-io`) as vitest suites: what a store must do for the object-storage backend to
 * be correct on it, whatever the service behind it. Import it from `@tidemark/testkit/object-store`:
 *
 * ```ts
 * objectStoreSuite({ name: "GcsObjectStore", create: () => ({ store: new GcsObjectStore(freshPrefix()) }) });
 * ```
 *
 * It covers put/get round trips (bodies given back whole in a Buffer or as a stream), atomic overwrite,
 * metadata and content encoding (gzip bytes are given back compressed), missing objects (null, not an
 * error), `deleteMany` (missing objects skipped, `onlyIf`, the count), recursive listing by prefix in pages
 * of at most 1000, and references (`refOf`/`objectKeyOfRef` round trip; references outside the base refused).
 *
 * @param options - the name, the fixture factory, groups to skip with their reasons, what `deleteMany`
 *   counts, and how many objects the paging case writes.
 */
export function objectStoreSuite<S extends ObjectStoreUnderTest>(options: ObjectStoreSuiteOptions<S>): void {
  const { name } = options;
  const requested = options.deleteCount === "requested";
  const listObjects = options.listObjects ?? 1001;
  const concurrency = options.concurrency ?? 16;

  describe(`object store suite: ${name}`, () => {
    let fixture: ObjectStoreFixture<S> | undefined;
    beforeEach(async () => {
      fixture = await options.create();
    });
    afterEach(async () => {
      const current = fixture;
      fixture = undefined;
      if (current === undefined) return;
      if (current.dispose !== undefined) await current.dispose();
      else await current.store.close();
    });
    const store = (): S => {
      if (fixture === undefined) throw new Error("no fixture: create() failed");
      return fixture.store;
    };
    const put = (objectKey: string, body: Buffer, metadata: Record<string, string> = {}, encoding?: string) =>
      store().put(objectKey, {
        body,
        contentType: JSON_TYPE,
        ...(encoding === undefined ? {} : { contentEncoding: encoding }),
        metadata,
      });
    const read = async (objectKey: string): Promise<Buffer | null> => {
      const object = await store().get(objectKey);
      return object === null ? null : bytesOf(object.body);
    };
    const group = (id: ObjectStoreSuiteGroup, body: () => void) => {
      const reason = options.skip?.[id];
      describe.skipIf(reason !== undefined)(reason === undefined ? id : `${id} (skipped: ${reason})`, body);
    };

    group("round-trip", () => {
      it("gives back the bytes written, with their size", async () => {
        const body = Buffer.from('{"greeting":"héllo 𝄞"}', "utf8");
        await put("tasks/d/r/t/-1/k", body);
        const object = await store().get("tasks/d/r/t/-1/k");
        expect(object).not.toBeNull();
        expect((await bytesOf(object?.body as Buffer | Readable)).equals(body)).toBe(true);
        expect(object?.head.size ?? body.length).toBe(body.length);
      });

      it("gives back a body of several megabytes whole, whether as a Buffer or as a stream", async () => {
        const body = randomBytes(3 * 1024 * 1024 + 17);
        await put("big/object", body);
        expect((await read("big/object"))?.equals(body)).toBe(true);
      });

      it("stores an empty body", async () => {
        await put("empty", Buffer.alloc(0));
        expect((await read("empty"))?.length).toBe(0);
        expect((await store().head("empty"))?.size ?? 0).toBe(0);
      });

      it("keeps keys apart that differ only in their last segment or in percent-encoded characters", async () => {
        const keys = ["a/k", "a/k2", "a/k%2F", "a/K", "a/k%20x", "a%2Fk"];
        for (const [i, key] of keys.entries()) await put(key, Buffer.from(String(i)));
        for (const [i, key] of keys.entries()) expect((await read(key))?.toString(), key).toBe(String(i));
      });
    });

    group("overwrite", () => {
      it("replaces an object: a read after the second put sees only the second", async () => {
        await put("k", Buffer.from("first, and longer than the second"), {
          "expires-at": "2030-01-01T00:00:00.000Z",
        });
        await put("k", Buffer.from("second"));
        expect((await read("k"))?.toString()).toBe("second");
        expect((await store().head("k"))?.metadata).toEqual({});
      });
    });

    group("atomic-overwrite", () => {
      it("never shows a mix: reads during an overwrite see the old or the new object whole", async () => {
        const before = Buffer.alloc(1024 * 1024, "a");
        const after = Buffer.alloc(1024 * 1024 + 3, "b");
        await put("k", before);
        const writing = put("k", after);
        const reads = await Promise.all(Array.from({ length: 8 }, () => read("k")));
        await writing;
        for (const bytes of reads)
          expect(bytes?.equals(before) === true || bytes?.equals(after) === true).toBe(true);
        expect((await read("k"))?.equals(after)).toBe(true);
      });
    });

    group("metadata", () => {
      it("gives back user metadata as written, on head and on get", async () => {
        const metadata = { "expires-at": "2030-01-01T00:00:30.000Z", "state-key": "T21lZ2E_-" };
        const started = Date.now();
        await put("m", Buffer.from("1"), metadata);
        const head = await store().head("m");
        expect(head?.metadata).toEqual(metadata);
        expect((await store().get("m"))?.head.metadata).toEqual(metadata);
        const lastModified = head?.lastModified;
        if (lastModified !== null && lastModified !== undefined) {
          // Services keep whole seconds and their clock may differ a little from the test's.
          expect(Math.abs(lastModified.getTime() - started)).toBeLessThan(5 * 60_000);
        }
      });

      it("gives back an object without metadata with none", async () => {
        await put("plain", Buffer.from("1"));
        expect((await store().head("plain"))?.metadata).toEqual({});
      });

      it("gives back gzip bytes written with Content-Encoding gzip still compressed (no transparent inflating)", async () => {
        const text = JSON.stringify({ rows: Array.from({ length: 200 }, (_, i) => i) });
        const gz = gzipSync(text);
        await put("k.gz", gz, {}, "gzip");
        const bytes = await read("k.gz");
        expect(bytes?.equals(gz)).toBe(true);
        expect(gunzipSync(bytes as Buffer).toString()).toBe(text);
        expect((await store().head("k.gz"))?.size ?? gz.length).toBe(gz.length);
      });
    });

    group("missing", () => {
      it("answers head and get of a missing object with null", async () => {
        expect(await store().head("no/such/object")).toBeNull();
        expect(await store().get("no/such/object")).toBeNull();
      });

      it("answers a key that is only a prefix of other objects with null", async () => {
        await put("dir/child", Buffer.from("1"));
        expect(await store().head("dir")).toBeNull();
        expect(await store().get("dir")).toBeNull();
      });
    });

    group("delete", () => {
      it("deletes the objects given, skips missing ones and counts them", async () => {
        await put("a", Buffer.from("1"));
        await put("b/c", Buffer.from("2"));
        await put("keep", Buffer.from("3"));
        expect(await store().deleteMany([])).toBe(0);
        const count = await store().deleteMany(["a", "missing", "b/c"]);
        expect(count).toBe(requested ? 3 : 2);
        expect(await store().head("a")).toBeNull();
        expect(await store().head("b/c")).toBeNull();
        expect((await read("keep"))?.toString()).toBe("3");
        await expect(store().deleteMany(["a", "b/c"])).resolves.toBe(requested ? 2 : 0);
      });

      it("deletes more objects than fit in one batch", async () => {
        const keys = Array.from({ length: 60 }, (_, i) => `batch/${i}`);
        await inParallel(keys, concurrency, (k) => put(k, Buffer.from("x")));
        expect(await store().deleteMany(keys)).toBe(keys.length);
        expect(await listAll(store(), "batch/")).toEqual([]);
      });

      it("can write an object again after deleting it", async () => {
        await put("again/k", Buffer.from("1"));
        await store().deleteMany(["again/k"]);
        await put("again/k", Buffer.from("2"));
        expect((await read("again/k"))?.toString()).toBe("2");
      });
    });

    group("delete-only-if", () => {
      it("deletes only the objects whose metadata onlyIf accepts, and counts only those", async () => {
        await put("x/expired", Buffer.from("1"), { "expires-at": "2000-01-01T00:00:00.000Z" });
        await put("x/live", Buffer.from("2"), { "expires-at": "2999-01-01T00:00:00.000Z" });
        await put("x/never", Buffer.from("3"));
        const expired = (head: { metadata: Readonly<Record<string, string>> }) =>
          (head.metadata["expires-at"] ?? "9999") < "2001";
        expect(await store().deleteMany(["x/expired", "x/live", "x/never", "x/missing"], expired)).toBe(1);
        expect(await store().head("x/expired")).toBeNull();
        expect((await read("x/live"))?.toString()).toBe("2");
        expect((await read("x/never"))?.toString()).toBe("3");
      });
    });

    group("list", () => {
      it("lists every object under a prefix, recursively, and nothing beside it", async () => {
        const inside = ["p/a", "p/b/c", "p/b/d/e", "p/b/d/f.gz"];
        for (const key of [...inside, "pp/y", "q/x", "p.gz"]) await put(key, Buffer.from("1"));
        const pages = await listAll(store(), "p/");
        for (const page of pages) expect(page.length).toBeGreaterThan(0);
        expect(pages.flat().sort()).toEqual(inside);
        expect((await listAll(store(), "p/b/d/")).flat().sort()).toEqual(["p/b/d/e", "p/b/d/f.gz"]);
        expect((await listAll(store(), "")).flat().sort()).toEqual([...inside, "p.gz", "pp/y", "q/x"].sort());
      });

      it("lists nothing (no empty page) under a prefix without objects", async () => {
        await put("other/k", Buffer.from("1"));
        expect(await listAll(store(), "nothing/here/")).toEqual([]);
      });

      it("no longer lists deleted objects", async () => {
        await put("l/a", Buffer.from("1"));
        await put("l/b", Buffer.from("1"));
        await store().deleteMany(["l/a"]);
        expect((await listAll(store(), "l/")).flat()).toEqual(["l/b"]);
      });
    });

    group("list-pages", () => {
      it(`lists ${listObjects} objects in pages of at most 1000, each once`, async () => {
        const keys = Array.from({ length: listObjects }, (_, i) => `many/${String(i % 7)}/${i}`);
        await inParallel(keys, concurrency, (k) => put(k, Buffer.from("1")));
        const pages = await listAll(store(), "many/");
        for (const page of pages) {
          expect(page.length).toBeGreaterThan(0);
          expect(page.length).toBeLessThanOrEqual(1000);
        }
        if (listObjects > 1000) expect(pages.length).toBeGreaterThan(1);
        const listed = pages.flat();
        expect(listed.length).toBe(keys.length);
        expect(new Set(listed)).toEqual(new Set(keys));
      }, 180_000);
    });

    group("refs", () => {
      it("has a description that is a URL ending in / with every reference under it", () => {
        const { description } = store();
        expect(description.endsWith("/")).toBe(true);
        expect(() => new URL(description)).not.toThrow();
        expect(store().refOf("tasks/d/r/t/-1/k").startsWith(description)).toBe(true);
      });

      it("maps object keys to references and back", () => {
        for (const key of ["k", "tasks/d/r/t/-1/job%2Fid", "assets/s3%3A%2F%2Fb%2Fk/rows.gz", "a/b/c/d/e"]) {
          const ref = store().refOf(key);
          expect(store().objectKeyOfRef(ref), ref).toBe(key);
          expect(store().refOf(key), "deterministic").toBe(ref);
        }
      });

      it("refuses references outside its base: other scheme, sibling or parent base, the base itself", () => {
        const { description } = store();
        const trimmed = description.slice(0, -1);
        const parent = trimmed.slice(0, trimmed.lastIndexOf("/") + 1);
        const scheme = description.slice(0, description.indexOf(":"));
        for (const ref of [
          description,
          `${trimmed}-other/k`,
          `${trimmed}x/k`,
          ...(parent.endsWith("//") ? [] : [`${parent}k`]),
          `${scheme === "https" ? "http" : "https"}${description.slice(scheme.length)}k`,
          "no-scheme",
          "",
        ]) {
          expect(store().objectKeyOfRef(ref), ref).toBeUndefined();
        }
      });
    });
  });
}
