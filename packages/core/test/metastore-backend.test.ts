import {
  assetScope,
  createStateStore,
  isStateStoreError,
  StateStoreError,
  type StoreScope,
  taskScope,
} from "@tidemark/state";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDatabase } from "../src/database/create-database.js";
import type { TidemarkDatabase } from "../src/database/tidemark-database.js";
import { deactivateAsset, registerAsset } from "../src/metadata/assets.js";
import { createTaskInstance } from "../src/metadata/task-instances.js";
import { MetastoreBackend } from "../src/metastore/metastore-backend.js";
import { connectTestMysql } from "./support/mysql.js";
import { connectTestPostgres } from "./support/postgres.js";
import { mysqlTargets, type OpenedTarget, postgresTarget, sqliteFileTarget } from "./support/targets.js";

const postgres = await connectTestPostgres();
const mysqlServer = await connectTestMysql();
afterAll(() => mysqlServer.close());
afterAll(() => postgres.close());

async function rejection(promise: Promise<unknown>): Promise<StateStoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isStateStoreError(error)) throw new Error(`expected a StateStoreError, got ${String(error)}`);
  return error;
}

const scope = taskScope({ dagId: "dag", runId: "run_1", taskId: "extract" });

for (const target of [sqliteFileTarget(), postgresTarget(postgres), ...mysqlTargets(mysqlServer)]) {
  describe(`MetastoreBackend on ${target.name}`, () => {
    let opened: OpenedTarget;
    let database: TidemarkDatabase;
    let backend: MetastoreBackend;
    let clock: Date;

    beforeEach(async () => {
      opened = await target.open();
      database = opened.database;
      clock = new Date("2030-01-01T00:00:00Z");
      backend = new MetastoreBackend({ database, now: () => clock });
      await createTaskInstance(database, { dagId: "dag", runId: "run_1", taskId: "extract" });
    });
    afterEach(async () => {
      await backend.close();
      await opened.dispose();
    });

    describe("task scopes", () => {
      it("set for an unknown dag run fails with DAG_RUN_NOT_FOUND; get returns null; delete and clear are no-ops", async () => {
        const unknown = taskScope({ dagId: "dag", runId: "typo", taskId: "extract" });
        const error = await rejection(backend.set(unknown, "k", "1"));
        expect(error.code).toBe("DAG_RUN_NOT_FOUND");
        expect(error.message).toBe("DagRun with dag_id=dag and run_id=typo not found");
        expect(await backend.get(unknown, "k")).toBeNull();
        await backend.delete(unknown, "k");
        await backend.clear(unknown, { allMapIndices: true });
        expect(await backend.scopeExists(unknown)).toBe(false);
        expect(await backend.scopeExists(scope)).toBe(true);
      });

      it("needs only the dag run: any task id and map index of an existing run can hold state", async () => {
        const other = taskScope({ dagId: "dag", runId: "run_1", taskId: "not_a_task_instance", mapIndex: 4 });
        await backend.set(other, "k", '"v"');
        expect(await backend.get(other, "k")).toBe('"v"');
      });

      it("getEntry reports version, updatedAt and expiresAt in UTC", async () => {
        const expiresAt = new Date("2030-01-08T00:00:00.123Z");
        await backend.set(scope, "job", '{"id":1}', { expiresAt });
        clock = new Date("2030-01-01T00:00:05Z");
        await backend.set(scope, "job", '{"id":2}', { expiresAt });
        expect(await backend.getEntry(scope, "job")).toEqual({
          key: "job",
          value: '{"id":2}',
          version: 2,
          updatedAt: new Date("2030-01-01T00:00:05Z"),
          expiresAt,
        });
      });

      it("treats expires_at <= now as gone in get, getEntry and list, before any cleanup", async () => {
        await backend.set(scope, "edge", "1", { expiresAt: new Date(clock.getTime() + 1000) });
        await backend.set(scope, "live", "2", { expiresAt: null });
        expect(await backend.get(scope, "edge")).toBe("1");
        clock = new Date(clock.getTime() + 1000);
        expect(await backend.get(scope, "edge")).toBeNull();
        expect(await backend.getEntry(scope, "edge")).toBeNull();
        expect(await backend.list(scope)).toMatchObject({ total: 1, entries: [{ key: "live" }] });
      });

      it("restarts the version at 1 when a write (plain or ifAbsent) replaces an expired row", async () => {
        await backend.set(scope, "lease", "1");
        await backend.set(scope, "lease", "2", { expiresAt: new Date(clock.getTime() + 10) });
        expect((await backend.getEntry(scope, "lease"))?.version).toBe(2);
        clock = new Date(clock.getTime() + 10);
        await backend.set(scope, "lease", "3", { ifAbsent: true });
        expect(await backend.getEntry(scope, "lease")).toMatchObject({
          value: "3",
          version: 1,
          expiresAt: null,
        });
        await backend.set(scope, "again", "1", { expiresAt: new Date(clock.getTime() - 1) });
        await backend.set(scope, "again", "2");
        expect((await backend.getEntry(scope, "again"))?.version).toBe(1);
      });

      it("ifVersion on an expired row is a CONFLICT (the key reads as missing)", async () => {
        await backend.set(scope, "w", "1", { expiresAt: new Date(clock.getTime() - 1) });
        const error = await rejection(backend.set(scope, "w", "2", { ifVersion: 1 }));
        expect(error.code).toBe("CONFLICT");
        const store = createStateStore(backend, { now: () => clock });
        const worded = await rejection(store.set(scope, "w", 2, { ifVersion: 1 }));
        expect(worded.message).toContain("has no live value");
      });

      it("raises a plain CONFLICT when a condition fails, which the core words with the current version", async () => {
        await backend.set(scope, "w", "1");
        await backend.set(scope, "w", "2");
        for (const options of [{ ifVersion: 1 }, { ifAbsent: true }, { ifAbsent: true, ifVersion: 2 }]) {
          const error = await rejection(backend.set(scope, "w", "3", options));
          expect(error.code).toBe("CONFLICT");
          expect(error.details).toMatchObject({ key: "w" });
        }
        expect((await rejection(backend.delete(scope, "w", { ifVersion: 1 }))).code).toBe("CONFLICT");
        expect(await backend.get(scope, "w")).toBe("2");
        const store = createStateStore(backend, { now: () => clock });
        const stale = await rejection(store.set(scope, "w", 3, { ifVersion: 1 }));
        expect(stale.message).toContain("is at version 2");
        expect(stale.details).toMatchObject({ currentVersion: 2 });
      });

      it("leaves bad keys, versions and expiries to the core, which refuses them before the backend", async () => {
        const store = createStateStore(backend, { now: () => clock });
        expect((await rejection(store.set(scope, "", 1))).code).toBe("INVALID_KEY");
        expect((await rejection(store.set(scope, "k", 1, { ifVersion: 0 }))).code).toBe("INVALID_VALUE");
        expect((await rejection(store.set(scope, "k", 1, { expiresAt: new Date(Number.NaN) }))).code).toBe(
          "INVALID_VALUE",
        );
        expect((await rejection(store.list(scope, { limit: -1 }))).code).toBe("INVALID_VALUE");
        expect((await backend.list(scope)).total).toBe(0);
      });

      it("pages by cursor (the last key), with total over the whole listing and null after the last page", async () => {
        for (const k of ["a", "a b", "a!", "a/1", "a/2", "b", "🚀"]) await backend.set(scope, k, "1");
        const seen: string[] = [];
        let cursor: string | null | undefined;
        for (let pages = 0; cursor !== null; pages++) {
          expect(pages).toBeLessThan(10);
          const page = await backend.list(scope, { limit: 2, ...(cursor === undefined ? {} : { cursor }) });
          expect(page.total).toBe(7);
          seen.push(...page.entries.map((e) => e.key));
          cursor = page.nextCursor;
          if (cursor !== null) expect(cursor).toBe(page.entries.at(-1)?.key);
        }
        expect(seen).toEqual(["a", "a b", "a!", "a/1", "a/2", "b", "🚀"]);
        const prefixed = await backend.list(scope, { prefix: "a", limit: 2, cursor: "a b" });
        expect(prefixed).toMatchObject({ total: 5, nextCursor: "a/1" });
        expect(prefixed.entries.map((e) => e.key)).toEqual(["a!", "a/1"]);
        expect((await backend.list(scope, { prefix: "a", cursor: "a/2" })).entries).toEqual([]);
        expect((await backend.list(scope, { limit: 7 })).nextCursor).toBeNull();
        expect((await backend.list(scope, { limit: 6 })).nextCursor).toBe("b");
        expect((await rejection(backend.list(scope, { cursor: "bad\u0000" }))).code).toBe("INVALID_VALUE");
      });

      it("lists in the same code point order on both dialects, matching prefixes literally", async () => {
        const keys = ["b", "B", "a\\b", "a\\c", "a%", "a_", "é", "z", "東京", "🚀", "\uE000", "a"];
        for (const k of keys) await backend.set(scope, k, "1");
        const listed = (await backend.list(scope, { limit: 100 })).entries.map((e) => e.key);
        const codePointOrder = [...keys].sort((x, y) => {
          const a = Array.from(x, (c) => c.codePointAt(0) as number);
          const b = Array.from(y, (c) => c.codePointAt(0) as number);
          for (let i = 0; i < Math.min(a.length, b.length); i++)
            if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
          return a.length - b.length;
        });
        expect(listed).toEqual(codePointOrder);
        const withPrefix = async (prefix: string) =>
          (await backend.list(scope, { prefix })).entries.map((e) => e.key);
        expect(await withPrefix("a\\")).toEqual(["a\\b", "a\\c"]);
        expect(await withPrefix("a_")).toEqual(["a_"]);
        expect(await withPrefix("東")).toEqual(["東京"]);
        expect(await withPrefix("🚀")).toEqual(["🚀"]);
        expect(await withPrefix("\u{10FFFF}")).toEqual([]);
        const page = await backend.list(scope, { prefix: "a", limit: 2, offset: 1 });
        expect(page.total).toBe(5);
        expect(page.entries.map((e) => e.key)).toEqual(["a%", "a\\b"]);
      });
    });

    describe("asset scopes", () => {
      it("resolves the id, else the name, else the uri to the active asset; unknown or deactivated assets cannot be written", async () => {
        const orders = await registerAsset(database, { name: "orders", uri: "s3://b/orders" });
        await backend.set(assetScope({ name: "orders" }), "wm", '"a"');
        expect(await backend.get(assetScope({ uri: "s3://b/orders" }), "wm")).toBe('"a"');
        expect(await backend.get(assetScope({ assetId: orders.id }), "wm")).toBe('"a"');
        expect(await backend.get(assetScope({ name: "orders", uri: "s3://b/orders" }), "wm")).toBe('"a"');
        // One precedence rule (assetIdentity): with a name, the uri is not consulted.
        expect(await backend.get(assetScope({ name: "orders", uri: "s3://other" }), "wm")).toBe('"a"');

        for (const unknown of [
          assetScope({ name: "nope" }),
          assetScope({ uri: "s3://nope" }),
          assetScope({ assetId: 999 }),
        ]) {
          expect((await rejection(backend.set(unknown, "wm", "1"))).code).toBe("ASSET_NOT_FOUND");
          expect(await backend.get(unknown, "wm")).toBeNull();
        }

        await deactivateAsset(database, "orders");
        for (const s of [
          assetScope({ name: "orders" }),
          assetScope({ uri: "s3://b/orders" }),
          assetScope({ assetId: orders.id }),
        ]) {
          const error = await rejection(backend.set(s, "wm", '"b"'));
          expect(error.code).toBe("ASSET_NOT_FOUND");
        }
        // Name and uri resolve to active assets only; the id still reaches the stale rows until the sweep.
        expect(await backend.get(assetScope({ name: "orders" }), "wm")).toBeNull();
        expect(await backend.get(assetScope({ assetId: orders.id }), "wm")).toBe('"a"');
        expect(await backend.scopeExists(assetScope({ assetId: orders.id }))).toBe(true);
        expect(await backend.scopeExists(assetScope({ assetId: orders.id }), { forWrite: true })).toBe(false);
        expect(await backend.scopeExists(assetScope({ name: "orders" }))).toBe(false);
      });

      it("records the writer: set with a writer records it; a plain set leaves it null", async () => {
        await registerAsset(database, { name: "orders" });
        const a = assetScope({ name: "orders" });
        const writer = {
          kind: "task",
          dagId: "dag",
          runId: "run_1",
          taskId: "extract",
          mapIndex: -1,
        } as const;
        await backend.set(a, "wm", '"1"', { writer });
        expect(await backend.getEntry(a, "wm")).toMatchObject({
          version: 1,
          lastUpdatedBy: writer,
          expiresAt: null,
        });
        await backend.set(a, "wm", '"2"', { writer: { kind: "watcher" } });
        expect((await backend.getEntry(a, "wm"))?.lastUpdatedBy).toEqual({ kind: "watcher" });
        await backend.set(a, "wm", '"3"');
        expect(await backend.getEntry(a, "wm")).toMatchObject({ version: 3, lastUpdatedBy: null });
        const bad = await rejection(
          backend.set(a, "wm", '"4"', { writer: { kind: "task", dagId: "d" } as never }),
        );
        expect(bad.code).toBe("INVALID_VALUE");
        const extra = await rejection(
          backend.set(a, "wm", '"4"', { writer: { kind: "api", dagId: "d" } as never }),
        );
        expect(extra.code).toBe("INVALID_VALUE");
        expect(await backend.get(a, "wm")).toBe('"3"');
        const listed = await backend.list(a);
        expect(listed.entries[0]).toMatchObject({ key: "wm", lastUpdatedBy: null });
      });

      it("ignores expiresAt: asset state never expires", async () => {
        await registerAsset(database, { name: "orders" });
        const a = assetScope({ name: "orders" });
        await backend.set(a, "wm", '"x"', { expiresAt: new Date(clock.getTime() - 1000) });
        expect(await backend.getEntry(a, "wm")).toMatchObject({ value: '"x"', expiresAt: null });
      });

      it("compare-and-set works on asset state too", async () => {
        await registerAsset(database, { name: "orders" });
        const a = assetScope({ name: "orders" });
        await backend.set(a, "wm", '"1"', { ifAbsent: true });
        expect((await rejection(backend.set(a, "wm", '"x"', { ifAbsent: true }))).code).toBe("CONFLICT");
        await backend.set(a, "wm", '"2"', { ifVersion: 1, writer: { kind: "api" } });
        expect((await rejection(backend.set(a, "wm", '"x"', { ifVersion: 1 }))).code).toBe("CONFLICT");
        expect(await backend.getEntry(a, "wm")).toMatchObject({
          value: '"2"',
          version: 2,
          lastUpdatedBy: { kind: "api" },
        });
      });

      it("names the asset it resolved in ASSET_NOT_FOUND, as the Core API does", async () => {
        const error = await rejection(backend.set(assetScope({ name: "nope", uri: "s3://x" }), "wm", "1"));
        expect(error.message).toBe("Asset with name='nope' not found");
        expect(error.details).toMatchObject({ name: "nope" });
        // A hand-built scope without identifiers (assetScope refuses one) matches no asset.
        const none = { kind: "asset" } as StoreScope;
        expect((await rejection(backend.set(none, "k", "1"))).code).toBe("ASSET_NOT_FOUND");
      });
    });

    describe("concurrency across connections", () => {
      it.skipIf(!target.multiConnection)(
        `upserts of one key from two connections at once raise no unique violation${target.multiConnection ? "" : ` (skipped: ${target.singleConnectionReason})`}`,
        async () => {
          const other = target.reopen(opened);
          const second = new MetastoreBackend({ database: other });
          try {
            const fresh = taskScope({ dagId: "dag", runId: "run_1", taskId: "race" });
            const writes = Array.from({ length: 40 }, (_, i) =>
              (i % 2 === 0 ? backend : second).set(fresh, "contended", String(i)),
            );
            await Promise.all(writes);
            expect((await backend.getEntry(fresh, "contended"))?.version).toBe(40);
            await registerAsset(database, { name: "shared" });
            const a = assetScope({ name: "shared" });
            await Promise.all(
              Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? backend : second).set(a, "wm", String(i))),
            );
            expect((await second.getEntry(a, "wm"))?.version).toBe(40);
          } finally {
            await other.close();
          }
        },
      );

      it.skipIf(!target.multiConnection)(
        `20 concurrent writers with the same ifVersion on two connections: exactly one wins${target.multiConnection ? "" : ` (skipped: ${target.singleConnectionReason})`}`,
        async () => {
          const other = target.reopen(opened);
          const second = new MetastoreBackend({ database: other });
          try {
            await backend.set(scope, "watermark", '"0"');
            const results = await Promise.allSettled(
              Array.from({ length: 20 }, (_, i) =>
                (i % 2 === 0 ? backend : second).set(scope, "watermark", JSON.stringify(`w${i}`), {
                  ifVersion: 1,
                }),
              ),
            );
            const won = results.filter((r) => r.status === "fulfilled");
            const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
            expect(won).toHaveLength(1);
            expect(lost).toHaveLength(19);
            for (const r of lost) expect(isStateStoreError(r.reason, "CONFLICT")).toBe(true);
            expect((await backend.getEntry(scope, "watermark"))?.version).toBe(2);
          } finally {
            await other.close();
          }
        },
      );
    });
  });
}

describe("MetastoreBackend failures", () => {
  it("reports a database without tables as BACKEND_UNAVAILABLE that says to migrate", async () => {
    const database = createDatabase("sqlite::memory:");
    const backend = new MetastoreBackend({ database });
    try {
      const error = await rejection(backend.get(scope, "k"));
      expect(error.code).toBe("BACKEND_UNAVAILABLE");
      expect(error.message).toContain("tidemark db migrate");
      expect(error.cause).toBeDefined();
    } finally {
      await database.close();
    }
  });

  it("reports an unreachable Postgres as BACKEND_UNAVAILABLE with the driver error as cause", async () => {
    const backend = new MetastoreBackend({ url: "postgres://postgres@127.0.0.1:1/none" });
    try {
      const error = await rejection(backend.set(scope, "k", "1"));
      expect(error.code).toBe("BACKEND_UNAVAILABLE");
      expect((error.cause as { code?: string }).code).toBe("ECONNREFUSED");
    } finally {
      await backend.close();
    }
  });

  it("needs a database, a url or a configuration, and a batch size >= 0", () => {
    expect(() => new MetastoreBackend()).toThrow(StateStoreError);
    expect(() => new MetastoreBackend({ url: "sqlite::memory:", cleanupBatchSize: -1 })).toThrow(
      /state_cleanup_batch_size/,
    );
  });

  it("opens database.url from a configuration, as loadStoreBackend hands it over, and closes what it opened", async () => {
    const backend = new MetastoreBackend({
      config: { database: { url: "sqlite::memory:" }, state_store: { state_cleanup_batch_size: 7 } },
    });
    expect(backend.cleanupBatchSize).toBe(7);
    expect(backend.database.dialect).toBe("sqlite");
    await backend.close();
    const error = await rejection(backend.get(scope, "k"));
    expect(error.code).toBe("BACKEND_UNAVAILABLE");
  });
});
