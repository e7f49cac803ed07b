import {
  type AssetScope,
  type BaseStoreBackend,
  type CleanupReport,
  compareKeys,
  createStateStore,
  type StateStore,
  type StoreBackendCapabilities,
  type StoreScope,
  type TaskScope,
  taskScope,
} from "@tidemark/state";
import { afterEach, beforeEach, describe, expect, it, type TestContext } from "vitest";
import { CONFORMANCE_KEYS, CONFORMANCE_VALUES, NON_ASCII_KEYS } from "./conformance-values.js";
import { installStateStoreMatchers } from "./matchers/install-matchers.js";
import {
  ASSET_IDENTITY_KINDS,
  type AssetIdentityKind,
  type ConformanceAsset,
  type StoreBackendFixture,
} from "./store-backend-fixture.js";

/** The groups of {@link storeBackendSuite}; each can be skipped with a stated reason. */
export type StoreBackendSuiteGroup =
  | "round-trip"
  | "missing-and-delete"
  | "task-isolation"
  | "map-index"
  | "region"
  | "asset-isolation"
  | "keys"
  | "concurrency"
  | "entry-metadata"
  | "versions"
  | "expiry"
  | "compare-and-set"
  | "capability-gating"
  | "list"
  | "writer-tracking"
  | "readiness"
  | "backend-failure";

/** The harness a backend gives {@link storeBackendSuite}. */
export interface StoreBackendSuiteOptions<B extends BaseStoreBackend = BaseStoreBackend> {
  /** The backend's name in the suite title and in skip reasons. */
  readonly name: string;
  /** Builds a fresh fixture (an empty backend and its hooks); called before every test. */
  readonly create: () => StoreBackendFixture<B> | Promise<StoreBackendFixture<B>>;
  /** Asset identities the backend cannot address, each with the reason; their cases are skipped. */
  readonly skipAssetIdentities?: Partial<Record<AssetIdentityKind, string>>;
  /** Groups to skip, each with the reason printed in the group's title. */
  readonly skip?: Partial<Record<StoreBackendSuiteGroup, string>>;
  /**
   * Registers backend-specific cases inside the suite's `describe`, given the fixture factory (the
   * caller disposes what it creates).
   */
  readonly additionalTests?: (create: () => Promise<StoreBackendFixture<B>>) => void;
}

type Capability = Exclude<keyof StoreBackendCapabilities, "defaultExpiry">;

/** What a case works with: the fixture, the state store core over it, and scope builders. */
interface CaseContext<B extends BaseStoreBackend> {
  readonly fixture: StoreBackendFixture<B>;
  readonly backend: B;
  readonly store: StateStore;
  task(init?: Partial<Omit<TaskScope, "kind">>): Promise<TaskScope>;
  asset(name: string, identity: AssetIdentityKind): Promise<AssetScope>;
}

const HOUR = 3_600_000;
const REGION_1 = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed";
const REGION_2 = "6ec0bd7f-11c0-43da-975e-2a8ad9ebae0b";

function sum(report: CleanupReport): number {
  return Object.values(report.deleted).reduce((a, b) => a + b, 0);
}

function sortedKeys(keys: readonly string[]): string[] {
  return [...keys].sort(compareKeys);
}

/**
 * Registers the conformance suite of the server-side contract ({@link BaseStoreBackend}) as vitest
 * suites. Every backend passes it; provider authors call it from a test file:
 *
 * ```ts
 * storeBackendSuite({ name: "MyBackend", create: () => ({ backend: new MyBackend(opts) }) });
 * ```
 *
 * Cases whose rule belongs to the state store core (expiry filtering, capability gating, the wording of
 * a failed condition) go through `createStateStore(backend)`; cases whose rule is the backend's (storing
 * verbatim, atomic compare-and-set, ordering, paging, cleanup) call the backend. Cases that need a
 * capability the backend does not declare, or a fixture hook it does not give, are skipped with the
 * reason; nothing passes without asserting.
 *
 * @param options - the name, the fixture factory, identities and groups to skip, extra cases.
 */
export function storeBackendSuite<B extends BaseStoreBackend>(options: StoreBackendSuiteOptions<B>): void {
  installStateStoreMatchers();
  const { name } = options;
  const skippedIdentity = (identity: AssetIdentityKind) => options.skipAssetIdentities?.[identity];
  const identities = ASSET_IDENTITY_KINDS.filter((i) => skippedIdentity(i) === undefined);
  const primaryIdentity: AssetIdentityKind | undefined = identities[0];
  const noAssetReason = `${name} addresses assets by no identity (skipAssetIdentities)`;

  describe(`state store backend suite: ${name}`, () => {
    let current: CaseContext<B> | undefined;
    beforeEach(async () => {
      const fixture = await options.create();
      const assetIds = new Map<string, number>();
      current = {
        fixture,
        backend: fixture.backend,
        store: createStateStore(fixture.backend, { maxValueStorageBytes: 0 }),
        async task(init = {}) {
          const scope = taskScope({
            dagId: init.dagId ?? "conformance_dag",
            runId: init.runId ?? "manual__2001-01-01",
            taskId: init.taskId ?? "extract",
            mapIndex: init.mapIndex ?? -1,
            ...(init.regionId === undefined ? {} : { regionId: init.regionId }),
          });
          return fixture.prepareTaskScope ? fixture.prepareTaskScope(scope) : scope;
        },
        async asset(assetName, identity) {
          let assetId = assetIds.get(assetName);
          if (assetId === undefined) {
            assetId = assetIds.size + 1;
            assetIds.set(assetName, assetId);
          }
          const asset: ConformanceAsset = { name: assetName, uri: `s3://conformance/${assetName}`, assetId };
          if (fixture.prepareAssetScope) return fixture.prepareAssetScope(asset, identity);
          if (identity === "assetId") return { kind: "asset", assetId };
          return identity === "name"
            ? { kind: "asset", name: asset.name }
            : { kind: "asset", uri: asset.uri };
        },
      };
    });
    afterEach(async () => {
      const fixture = current?.fixture;
      current = undefined;
      if (fixture === undefined) return;
      if (fixture.dispose) await fixture.dispose();
      else await fixture.backend.close();
    });
    const ctx = (): CaseContext<B> => {
      if (current === undefined) throw new Error("the fixture was not created");
      return current;
    };

    /** A group, skipped (its cases listed as skipped) with the harness's reason in its title. */
    const group = (id: StoreBackendSuiteGroup, body: () => void) => {
      const reason = options.skip?.[id];
      describe.skipIf(reason !== undefined)(reason === undefined ? id : `${id} (skipped: ${reason})`, body);
    };
    /** Skips the running case, with the reason, unless the backend declares the capability. */
    const requireCapability = (t: TestContext, capability: Capability) => {
      if (!ctx().backend.capabilities[capability]) {
        t.skip(`${name} does not declare capabilities.${capability}`);
      }
    };
    /** A case on the primary asset identity, skipped when the backend addresses assets by none. */
    const assetCase = (title: string, fn: (t: TestContext, identity: AssetIdentityKind) => Promise<void>) => {
      const identity = primaryIdentity ?? "name";
      const full = primaryIdentity === undefined ? `${title} (skipped: ${noAssetReason})` : title;
      it.skipIf(primaryIdentity === undefined)(full, (t) => fn(t, identity));
    };
    /** A case for each asset identity; the identities the backend cannot address are skipped. */
    const perIdentity = (title: string, fn: (identity: AssetIdentityKind) => Promise<void>) => {
      for (const identity of ASSET_IDENTITY_KINDS) {
        const reason = skippedIdentity(identity);
        const full = `${title} (asset by ${identity})`;
        it.skipIf(reason !== undefined)(reason === undefined ? full : `${full} (skipped: ${reason})`, () =>
          fn(identity),
        );
      }
    };

    group("round-trip", () => {
      for (const [label, value] of Object.entries(CONFORMANCE_VALUES)) {
        it(`stores ${label} verbatim in a task scope and reads it back through the core`, async () => {
          const { backend, store } = ctx();
          const scope = await ctx().task();
          const text = JSON.stringify(value);
          await backend.set(scope, "verbatim", text);
          expect(await backend.get(scope, "verbatim")).toBe(text);
          await store.set(scope, "through-core", value);
          expect(await store.get(scope, "through-core")).toEqual(value);
        });
      }
      perIdentity("stores every conformance value verbatim in an asset scope", async (identity) => {
        const { backend } = ctx();
        const scope = await ctx().asset("roundtrip", identity);
        for (const [i, value] of Object.values(CONFORMANCE_VALUES).entries()) {
          await backend.set(scope, `k${i}`, JSON.stringify(value));
        }
        for (const [i, value] of Object.values(CONFORMANCE_VALUES).entries()) {
          expect(await backend.get(scope, `k${i}`)).toBe(JSON.stringify(value));
        }
      });
      it("overwrites a key with the last value written", async () => {
        const { backend } = ctx();
        const scope = await ctx().task();
        await backend.set(scope, "job_id", JSON.stringify("app_1"));
        await backend.set(scope, "job_id", JSON.stringify({ id: "app_2" }));
        expect(await backend.get(scope, "job_id")).toBe('{"id":"app_2"}');
      });
      assetCase("keeps task state and asset state with the same key apart", async (_t, identity) => {
        const { backend } = ctx();
        const scope = await ctx().task();
        const a = await ctx().asset("apart", identity);
        await backend.set(scope, "watermark", '"task"');
        await backend.set(a, "watermark", '"asset"');
        expect(await backend.get(a, "watermark")).toBe('"asset"');
        expect(await backend.get(scope, "watermark")).toBe('"task"');
      });
    });

    group("missing-and-delete", () => {
      it("returns null for a key never written, from get and getEntry", async () => {
        const { backend } = ctx();
        const scope = await ctx().task();
        expect(await backend.get(scope, "never-written")).toBeNull();
        expect(await backend.getEntry(scope, "never-written")).toBeNull();
      });
      it("deletes a key, leaving the others", async () => {
        const { backend } = ctx();
        const scope = await ctx().task();
        await backend.set(scope, "a", "1");
        await backend.set(scope, "b", "2");
        await backend.delete(scope, "a");
        expect(await backend.get(scope, "a")).toBeNull();
        expect(await backend.get(scope, "b")).toBe("2");
      });
      it("treats delete of a missing key and clear of an empty scope as no-ops", async () => {
        const { backend } = ctx();
        const scope = await ctx().task();
        await expect(backend.delete(scope, "missing")).resolves.toBeUndefined();
        await expect(backend.clear(await ctx().task({ taskId: "empty" }))).resolves.toBeUndefined();
      });
      assetCase("treats delete of a missing asset key as a no-op", async (_t, identity) => {
        const a = await ctx().asset("nodelete", identity);
        await expect(ctx().backend.delete(a, "missing")).resolves.toBeUndefined();
        await expect(ctx().backend.clear(a)).resolves.toBeUndefined();
      });
    });

    group("task-isolation", () => {
      it("clears one task instance and leaves other tasks, runs and dags alone", async () => {
        const { backend } = ctx();
        const target = await ctx().task();
        const others = [
          await ctx().task({ taskId: "load" }),
          await ctx().task({ runId: "manual__2001-01-02" }),
          await ctx().task({ dagId: "other_dag" }),
        ];
        await backend.set(target, "k1", "1");
        await backend.set(target, "k2", "2");
        for (const [i, s] of others.entries()) await backend.set(s, "k1", String(10 + i));
        await backend.clear(target);
        expect(await backend.get(target, "k1")).toBeNull();
        expect(await backend.get(target, "k2")).toBeNull();
        for (const [i, s] of others.entries()) expect(await backend.get(s, "k1")).toBe(String(10 + i));
      });
      assetCase("clears a task instance and leaves asset state alone", async (_t, identity) => {
        const { backend } = ctx();
        const target = await ctx().task();
        const a = await ctx().asset("bystander", identity);
        await backend.set(target, "k1", "1");
        await backend.set(a, "k1", "99");
        await backend.clear(target, { allMapIndices: true });
        expect(await backend.get(a, "k1")).toBe("99");
      });
    });

    group("map-index", () => {
      it("keeps map indices apart and clears only the scope's map index by default", async () => {
        const { backend } = ctx();
        const m0 = await ctx().task({ taskId: "mapped", mapIndex: 0 });
        const m1 = await ctx().task({ taskId: "mapped", mapIndex: 1 });
        await backend.set(m0, "cursor", "0");
        await backend.set(m1, "cursor", "1");
        expect(await backend.get(m0, "cursor")).toBe("0");
        await backend.clear(m0);
        expect(await backend.get(m0, "cursor")).toBeNull();
        expect(await backend.get(m1, "cursor")).toBe("1");
      });
      it("clears every map index with allMapIndices, and only that task's", async () => {
        const { backend } = ctx();
        const m0 = await ctx().task({ taskId: "mapped", mapIndex: 0 });
        const m7 = await ctx().task({ taskId: "mapped", mapIndex: 7 });
        const prefixTwin = await ctx().task({ taskId: "mapped2", mapIndex: 0 });
        const otherTask = await ctx().task({ taskId: "mapped_other", mapIndex: 0 });
        await backend.set(m0, "cursor", "0");
        await backend.set(m7, "cursor", "7");
        await backend.set(prefixTwin, "cursor", "2");
        await backend.set(otherTask, "cursor", "42");
        await backend.clear(m0, { allMapIndices: true });
        expect(await backend.get(m0, "cursor")).toBeNull();
        expect(await backend.get(m7, "cursor")).toBeNull();
        expect(await backend.get(prefixTwin, "cursor")).toBe("2");
        expect(await backend.get(otherTask, "cursor")).toBe("42");
      });
    });

    group("region", () => {
      it("keeps two regions of one task instance apart, and apart from the all-zero region", async () => {
        const { backend } = ctx();
        const none = await ctx().task({ taskId: "regional" });
        const a = await ctx().task({ taskId: "regional", regionId: REGION_1 });
        const b = await ctx().task({ taskId: "regional", regionId: REGION_2 });
        await backend.set(none, "cursor", "0");
        await backend.set(a, "cursor", "1");
        await backend.set(b, "cursor", "2");
        expect(await backend.get(none, "cursor")).toBe("0");
        expect(await backend.get(a, "cursor")).toBe("1");
        expect(await backend.get(b, "cursor")).toBe("2");
        await backend.delete(a, "cursor");
        expect(await backend.get(a, "cursor")).toBeNull();
        expect(await backend.get(b, "cursor")).toBe("2");
      });
      it("clears one region only, with or without allMapIndices", async () => {
        const { backend } = ctx();
        const a0 = await ctx().task({ taskId: "regional", regionId: REGION_1, mapIndex: 0 });
        const a1 = await ctx().task({ taskId: "regional", regionId: REGION_1, mapIndex: 1 });
        const b0 = await ctx().task({ taskId: "regional", regionId: REGION_2, mapIndex: 0 });
        const none0 = await ctx().task({ taskId: "regional", mapIndex: 0 });
        for (const s of [a0, a1, b0, none0]) await backend.set(s, "cursor", '"x"');
        await backend.clear(a0);
        expect(await backend.get(a0, "cursor")).toBeNull();
        expect(await backend.get(a1, "cursor")).toBe('"x"');
        expect(await backend.get(b0, "cursor")).toBe('"x"');
        await backend.clear(a1, { allMapIndices: true });
        expect(await backend.get(a1, "cursor")).toBeNull();
        expect(await backend.get(b0, "cursor")).toBe('"x"');
        expect(await backend.get(none0, "cursor")).toBe('"x"');
      });
    });

    group("asset-isolation", () => {
      perIdentity("keeps two assets apart and clears one", async (identity) => {
        const { backend } = ctx();
        const a1 = await ctx().asset("orders", identity);
        const a2 = await ctx().asset("customers", identity);
        await backend.set(a1, "watermark", '"2001-01-01"');
        await backend.set(a2, "watermark", '"2001-02-01"');
        await backend.set(a2, "other", "1");
        expect(await backend.get(a1, "watermark")).toBe('"2001-01-01"');
        await backend.clear(a1);
        expect(await backend.get(a1, "watermark")).toBeNull();
        expect(await backend.get(a2, "watermark")).toBe('"2001-02-01"');
        await backend.clear(a2, { allMapIndices: true });
        expect(await backend.get(a2, "other")).toBeNull();
      });
    });

    group("keys", () => {
      it('round-trips keys with "/", "%", "_", spaces, "?", "#", Unicode and 512 characters', async () => {
        const { backend } = ctx();
        const scope = await ctx().task();
        for (const [i, key] of CONFORMANCE_KEYS.entries()) await backend.set(scope, key, String(i));
        for (const [i, key] of CONFORMANCE_KEYS.entries()) {
          expect(await backend.get(scope, key)).toBe(String(i));
        }
        await backend.delete(scope, "checkpoint/page/3");
        expect(await backend.get(scope, "checkpoint/page/3")).toBeNull();
        expect(await backend.get(scope, "100%")).toBe("1");
      });
      it('keeps "a/b", "a_b" and "a%2Fb" apart', async () => {
        const { backend } = ctx();
        const scope = await ctx().task();
        await backend.set(scope, "a/b", "1");
        await backend.set(scope, "a_b", "2");
        await backend.set(scope, "a%2Fb", "3");
        expect([
          await backend.get(scope, "a/b"),
          await backend.get(scope, "a_b"),
          await backend.get(scope, "a%2Fb"),
        ]).toEqual(["1", "2", "3"]);
      });
      assetCase('keeps "a/b" and "a_b" apart in an asset scope', async (_t, identity) => {
        const { backend } = ctx();
        const a = await ctx().asset("keys", identity);
        await backend.set(a, "a/b", '"slash"');
        await backend.set(a, "a_b", '"underscore"');
        expect(await backend.get(a, "a/b")).toBe('"slash"');
        expect(await backend.get(a, "a_b")).toBe('"underscore"');
      });
    });

    group("concurrency", () => {
      it("ends 50 concurrent sets of one key with one of the written values", async () => {
        const { backend } = ctx();
        const scope = await ctx().task();
        const written = Array.from({ length: 50 }, (_, i) => JSON.stringify({ writer: i }));
        await Promise.all(written.map((v) => backend.set(scope, "contended", v)));
        expect(written).toContain(await backend.get(scope, "contended"));
      });
    });

    group("entry-metadata", () => {
      it("reports updatedAt as the time of the last write in getEntry", async () => {
        const { backend } = ctx();
        const scope = await ctx().task();
        const before = Date.now();
        await backend.set(scope, "stamped", '"x"');
        const after = Date.now();
        const entry = await backend.getEntry(scope, "stamped");
        expect(entry?.key).toBe("stamped");
        expect(entry?.value).toBe('"x"');
        const updatedAt = entry?.updatedAt;
        expect(updatedAt).toBeInstanceOf(Date);
        // Object stores keep last-modified times to the second.
        const at = updatedAt instanceof Date ? updatedAt.getTime() : Number.NaN;
        expect(at).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
        expect(at).toBeLessThanOrEqual(after + 1000);
      });
      it("reports the expiresAt written to the millisecond, and null for never, in getEntry", async (t) => {
        requireCapability(t, "expiry");
        const { backend } = ctx();
        const scope = await ctx().task();
        const expiresAt = new Date(Date.now() + HOUR + 123);
        await backend.set(scope, "expiring", "1", { expiresAt });
        await backend.set(scope, "forever", "2", { expiresAt: null });
        expect((await backend.getEntry(scope, "expiring"))?.expiresAt?.toISOString()).toBe(
          expiresAt.toISOString(),
        );
        expect((await backend.getEntry(scope, "forever"))?.expiresAt).toBeNull();
      });
      it("reports updatedAt and expiresAt in list entries as getEntry does", async (t) => {
        requireCapability(t, "listKeys");
        const { backend } = ctx();
        const scope = await ctx().task();
        const expiresAt = new Date(Date.now() + HOUR + 456);
        const expiry = backend.capabilities.expiry;
        await backend.set(scope, "a", "1", expiry ? { expiresAt } : {});
        await backend.set(scope, "b", "2");
        const listed = (await backend.list(scope, { limit: 10 })).entries;
        expect(listed.map((e) => e.key)).toEqual(["a", "b"]);
        for (const entry of listed) {
          const single = await backend.getEntry(scope, entry.key);
          expect(entry.value).toBe(single?.value);
          expect(entry.updatedAt?.getTime()).toBe(single?.updatedAt?.getTime());
          expect(entry.expiresAt?.getTime() ?? null).toBe(single?.expiresAt?.getTime() ?? null);
        }
        expect(listed[0]?.expiresAt?.toISOString() ?? null).toBe(expiry ? expiresAt.toISOString() : null);
        expect(listed[1]?.expiresAt).toBeNull();
      });
    });

    group("versions", () => {
      it("starts versions at 1 and grows them by one per write", async (t) => {
        requireCapability(t, "compareAndSet");
        const { backend } = ctx();
        const scope = await ctx().task();
        await backend.set(scope, "w", "1");
        expect((await backend.getEntry(scope, "w"))?.version).toBe(1);
        await backend.set(scope, "w", "2");
        const entry = await backend.getEntry(scope, "w");
        expect(entry?.version).toBe(2);
        expect(entry?.value).toBe("2");
      });
      it("starts again at version 1 after a delete", async (t) => {
        requireCapability(t, "compareAndSet");
        const { backend } = ctx();
        const scope = await ctx().task();
        await backend.set(scope, "w", "1");
        await backend.set(scope, "w", "2");
        await backend.delete(scope, "w");
        await backend.set(scope, "w", "3");
        expect((await backend.getEntry(scope, "w"))?.version).toBe(1);
      });
      it("starts again at version 1 after an expiry, before any cleanup", async (t) => {
        requireCapability(t, "compareAndSet");
        requireCapability(t, "expiry");
        const { backend } = ctx();
        const scope = await ctx().task();
        await backend.set(scope, "lease", "1", { expiresAt: new Date(Date.now() + HOUR) });
        await backend.set(scope, "lease", "2", { expiresAt: new Date(Date.now() - 60_000) });
        await backend.set(scope, "lease", "3");
        expect((await backend.getEntry(scope, "lease"))?.version).toBe(1);
      });
      assetCase("versions asset state the same way", async (t, identity) => {
        requireCapability(t, "compareAndSet");
        const { backend } = ctx();
        const a = await ctx().asset("versioned", identity);
        await backend.set(a, "w", "1");
        await backend.set(a, "w", "2");
        expect((await backend.getEntry(a, "w"))?.version).toBe(2);
        await backend.delete(a, "w");
        await backend.set(a, "w", "3");
        expect((await backend.getEntry(a, "w"))?.version).toBe(1);
      });
      it("reports version null on a backend without compare-and-set", async (t) => {
        if (ctx().backend.capabilities.compareAndSet) t.skip(`${name} declares capabilities.compareAndSet`);
        const { backend } = ctx();
        const scope = await ctx().task();
        await backend.set(scope, "w", "1");
        expect((await backend.getEntry(scope, "w"))?.version).toBeNull();
      });
    });

    group("expiry", () => {
      it("never returns a key whose expiresAt has passed, before any cleanup", async (t) => {
        requireCapability(t, "expiry");
        const { store } = ctx();
        const scope = await ctx().task();
        await store.set(scope, "stale", "x", { expiresAt: new Date(Date.now() - 60_000) });
        await store.set(scope, "fresh", "y", { expiresAt: new Date(Date.now() + HOUR) });
        expect(await store.get(scope, "stale")).toBeNull();
        expect(await store.getEntry(scope, "stale")).toBeNull();
        expect(await store.get(scope, "fresh")).toBe("y");
      });
      it("reads an expired key as null from the backend itself", async (t) => {
        requireCapability(t, "expiry");
        const { backend } = ctx();
        const scope = await ctx().task();
        await backend.set(scope, "stale", '"x"', { expiresAt: new Date(Date.now() - 60_000) });
        expect(await backend.get(scope, "stale")).toBeNull();
        expect(await backend.getEntry(scope, "stale")).toBeNull();
      });
      it("removes expired keys on cleanup and keeps the rest", async (t) => {
        requireCapability(t, "expiry");
        const { backend } = ctx();
        const scope = await ctx().task();
        await backend.set(scope, "stale", '"x"', { expiresAt: new Date(Date.now() - 60_000) });
        await backend.set(scope, "forever", '"z"', { expiresAt: null });
        await backend.set(scope, "fresh", '"y"', { expiresAt: new Date(Date.now() + HOUR) });
        const dry = await backend.cleanup({ dryRun: true });
        expect(dry.dryRun).toBe(true);
        expect(sum(dry)).toBe(1);
        expect(sum(await backend.cleanup())).toBe(1);
        expect(sum(await backend.cleanup())).toBe(0);
        expect(await backend.get(scope, "forever")).toBe('"z"');
        expect(await backend.get(scope, "fresh")).toBe('"y"');
      });
      it("never expires a key written with expiresAt null, and overwriting resets expiry", async (t) => {
        requireCapability(t, "expiry");
        const { backend } = ctx();
        const scope = await ctx().task();
        await backend.set(scope, "k", "1", { expiresAt: new Date(Date.now() - 1000) });
        await backend.set(scope, "k", "2", { expiresAt: null });
        expect(await backend.get(scope, "k")).toBe("2");
        await backend.cleanup();
        expect(await backend.get(scope, "k")).toBe("2");
      });
      assetCase("ignores expiresAt for asset state, which never expires", async (t, identity) => {
        requireCapability(t, "expiry");
        const { backend } = ctx();
        const a = await ctx().asset("timeless", identity);
        await backend.set(a, "k", '"kept"', { expiresAt: new Date(Date.now() - 60_000) });
        expect(await backend.get(a, "k")).toBe('"kept"');
        expect((await backend.getEntry(a, "k"))?.expiresAt).toBeNull();
        await backend.cleanup();
        expect(await backend.get(a, "k")).toBe('"kept"');
      });
    });

    group("compare-and-set", () => {
      it("ifAbsent writes only when no live value exists", async (t) => {
        requireCapability(t, "compareAndSet");
        const { backend, store } = ctx();
        const scope = await ctx().task();
        await backend.set(scope, "once", '"first"', { ifAbsent: true });
        await expect(backend.set(scope, "once", '"second"', { ifAbsent: true })).toRejectWithCode("CONFLICT");
        await expect(store.set(scope, "once", "third", { ifAbsent: true })).toRejectWithCode("CONFLICT");
        expect(await backend.get(scope, "once")).toBe('"first"');
      });
      it("ifVersion writes only at the expected version, and never creates a key", async (t) => {
        requireCapability(t, "compareAndSet");
        const { backend, store } = ctx();
        const scope = await ctx().task();
        await backend.set(scope, "w", '"a"');
        await backend.set(scope, "w", '"b"', { ifVersion: 1 });
        await expect(backend.set(scope, "w", '"c"', { ifVersion: 1 })).toRejectWithCode("CONFLICT");
        await expect(store.set(scope, "w", "c", { ifVersion: 1 })).toRejectWithCode("CONFLICT");
        expect(await backend.get(scope, "w")).toBe('"b"');
        await expect(backend.set(scope, "nope", '"x"', { ifVersion: 1 })).toRejectWithCode("CONFLICT");
        expect(await backend.get(scope, "nope")).toBeNull();
      });
      it("delete with ifVersion deletes only at the expected version", async (t) => {
        requireCapability(t, "compareAndSet");
        const { backend } = ctx();
        const scope = await ctx().task();
        await backend.set(scope, "d", '"a"');
        await backend.set(scope, "d", '"b"');
        await expect(backend.delete(scope, "d", { ifVersion: 1 })).toRejectWithCode("CONFLICT");
        expect(await backend.get(scope, "d")).toBe('"b"');
        await backend.delete(scope, "d", { ifVersion: 2 });
        expect(await backend.get(scope, "d")).toBeNull();
        await expect(backend.delete(scope, "d", { ifVersion: 2 })).toRejectWithCode("CONFLICT");
      });
      assetCase("compare-and-set works on asset state", async (t, identity) => {
        requireCapability(t, "compareAndSet");
        const { backend } = ctx();
        const a = await ctx().asset("cas", identity);
        await backend.set(a, "d", '"x"');
        await expect(backend.delete(a, "d", { ifVersion: 5 })).toRejectWithCode("CONFLICT");
        await expect(backend.set(a, "d", '"y"', { ifAbsent: true })).toRejectWithCode("CONFLICT");
        await backend.delete(a, "d", { ifVersion: 1 });
        expect(await backend.get(a, "d")).toBeNull();
      });
      it("lets exactly one of 20 concurrent writers with the same ifVersion win", async (t) => {
        requireCapability(t, "compareAndSet");
        const { backend } = ctx();
        const scope = await ctx().task();
        await backend.set(scope, "watermark", '"2001-01-01"');
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) =>
            backend.set(scope, "watermark", JSON.stringify(`w${i}`), { ifVersion: 1 }),
          ),
        );
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
        expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
        for (const r of lost) await expect(Promise.reject(r.reason)).toRejectWithCode("CONFLICT");
        expect((await backend.getEntry(scope, "watermark"))?.version).toBe(2);
      });
      it("treats an expired key as absent for ifAbsent", async (t) => {
        requireCapability(t, "compareAndSet");
        requireCapability(t, "expiry");
        const { backend } = ctx();
        const scope = await ctx().task();
        await backend.set(scope, "lease", '"old"', { expiresAt: new Date(Date.now() - 1000) });
        await backend.set(scope, "lease", '"new"', { ifAbsent: true });
        expect(await backend.get(scope, "lease")).toBe('"new"');
      });
    });

    group("capability-gating", () => {
      const lacking = (t: TestContext, capability: Capability) => {
        if (ctx().backend.capabilities[capability]) t.skip(`${name} declares capabilities.${capability}`);
      };
      it("answers a condition NOT_SUPPORTED without compare-and-set, and writes nothing", async (t) => {
        lacking(t, "compareAndSet");
        const { backend, store } = ctx();
        const scope = await ctx().task();
        await expect(store.set(scope, "k", 1, { ifAbsent: true })).toRejectWithCode("NOT_SUPPORTED");
        await expect(store.set(scope, "k", 1, { ifVersion: 1 })).toRejectWithCode("NOT_SUPPORTED");
        expect(await backend.get(scope, "k")).toBeNull();
        await backend.set(scope, "k", "2");
        await expect(store.delete(scope, "k", { ifVersion: 1 })).toRejectWithCode("NOT_SUPPORTED");
        expect(await backend.get(scope, "k")).toBe("2");
      });
      it("answers an expiresAt NOT_SUPPORTED without expiry, and writes nothing", async (t) => {
        lacking(t, "expiry");
        const { backend, store } = ctx();
        const scope = await ctx().task();
        const expiresAt = new Date(Date.now() + HOUR);
        await expect(store.set(scope, "k", 1, { expiresAt })).toRejectWithCode("NOT_SUPPORTED");
        expect(await backend.get(scope, "k")).toBeNull();
      });
      it("answers a listing NOT_SUPPORTED without listKeys", async (t) => {
        lacking(t, "listKeys");
        const scope = await ctx().task();
        await expect(ctx().store.list(scope)).toRejectWithCode("NOT_SUPPORTED");
        await expect(ctx().backend.list(scope)).toRejectWithCode("NOT_SUPPORTED");
      });
    });

    group("list", () => {
      it("lists live keys in code point order (compareKeys), including characters above U+FFFF", async (t) => {
        requireCapability(t, "listKeys");
        const { backend } = ctx();
        const scope = await ctx().task();
        for (const k of NON_ASCII_KEYS) await backend.set(scope, k, JSON.stringify(k));
        const page = await backend.list(scope, { limit: 100 });
        expect(page.entries.map((e) => e.key)).toEqual(sortedKeys(NON_ASCII_KEYS));
        for (const e of page.entries) expect(e.value).toBe(JSON.stringify(e.key));
        if (page.total !== undefined) expect(page.total).toBe(NON_ASCII_KEYS.length);
      });
      it("pages by offset, with total when the backend counts", async (t) => {
        requireCapability(t, "listKeys");
        const { backend } = ctx();
        const scope = await ctx().task();
        for (const k of ["c", "a", "b", "d", "e"]) await backend.set(scope, k, JSON.stringify(k));
        const page1 = await backend.list(scope, { limit: 2, offset: 0 });
        const page2 = await backend.list(scope, { limit: 2, offset: 2 });
        const page3 = await backend.list(scope, { limit: 2, offset: 4 });
        expect(page1.entries.map((e) => e.key)).toEqual(["a", "b"]);
        expect(page2.entries.map((e) => e.key)).toEqual(["c", "d"]);
        expect(page3.entries.map((e) => e.key)).toEqual(["e"]);
        expect((await backend.list(scope, { limit: 2, offset: 5 })).entries).toEqual([]);
        for (const page of [page1, page2, page3]) if (page.total !== undefined) expect(page.total).toBe(5);
        expect(page3.nextCursor ?? null).toBeNull();
      });
      it("pages by cursor until nextCursor is null, seeing every key once", async (t) => {
        requireCapability(t, "listKeys");
        const { backend } = ctx();
        const scope = await ctx().task();
        const keys = ["k5", "k1", "k3", "k2", "k4", "k6", "k7"];
        for (const k of keys) await backend.set(scope, k, "1");
        const first = await backend.list(scope, { limit: 3 });
        if ((first.nextCursor ?? null) === null) {
          // Without a cursor on a partial page a backend must count, or its listing cannot be walked.
          expect(first.total).toBe(keys.length);
          t.skip(`${name} pages by offset only: a partial page came without nextCursor`);
        }
        const seen = first.entries.map((e) => e.key);
        let cursor = first.nextCursor ?? null;
        for (let pages = 1; cursor !== null; pages++) {
          expect(pages).toBeLessThan(10);
          const page = await backend.list(scope, { limit: 3, cursor, offset: 1_000 });
          seen.push(...page.entries.map((e) => e.key));
          cursor = page.nextCursor ?? null;
        }
        expect(seen).toEqual(sortedKeys(keys));
      });
      it("counts keys and pages through the core, whether or not the backend counts", async (t) => {
        requireCapability(t, "listKeys");
        const { backend, store } = ctx();
        const scope = await ctx().task();
        for (const k of ["b", "a", "c"]) await backend.set(scope, k, "1");
        expect(await store.countKeys(scope)).toBe(3);
        const page = await store.list(scope, { limit: 2 });
        expect(page.entries.map((e) => e.key)).toEqual(["a", "b"]);
      });
      it("leaves expired keys out of listings (the core filters them whatever the backend does)", async (t) => {
        requireCapability(t, "listKeys");
        requireCapability(t, "expiry");
        const { store } = ctx();
        const scope = await ctx().task();
        await store.set(scope, "live", 1);
        await store.set(scope, "stale", 2, { expiresAt: new Date(Date.now() - 60_000) });
        const page = await store.list(scope);
        expect(page.entries.map((e) => e.key)).toEqual(["live"]);
        if (page.total !== undefined) expect(page.total).toBe(1);
        expect((await ctx().backend.list(scope)).entries.map((e) => e.key)).toEqual(["live"]);
      });
      it("matches prefixes literally, with % and _ not acting as wildcards", async (t) => {
        requireCapability(t, "listKeys");
        const { backend } = ctx();
        const scope = await ctx().task();
        for (const k of ["50%_off", "50%_on", "50x_off", "5_", "5a", "page/1", "page/2", "pagex", "🚀/1"]) {
          await backend.set(scope, k, "1");
        }
        const keys = async (prefix: string) =>
          (await backend.list(scope, { prefix, limit: 100 })).entries.map((e) => e.key);
        expect(await keys("50%_")).toEqual(["50%_off", "50%_on"]);
        expect(await keys("5_")).toEqual(["5_"]);
        expect(await keys("page/")).toEqual(["page/1", "page/2"]);
        expect(await keys("🚀")).toEqual(["🚀/1"]);
        const none = await backend.list(scope, { prefix: "zzz" });
        expect(none.entries).toEqual([]);
        if (none.total !== undefined) expect(none.total).toBe(0);
      });
      assetCase("lists asset state in key order", async (t, identity) => {
        requireCapability(t, "listKeys");
        const { backend } = ctx();
        const a = await ctx().asset("listed", identity);
        for (const k of ["𝄞", "\u{E000}", "b", "a"]) await backend.set(a, k, "1");
        const page = await backend.list(a, { limit: 10 });
        expect(page.entries.map((e) => e.key)).toEqual(sortedKeys(["𝄞", "\u{E000}", "b", "a"]));
      });
    });

    group("writer-tracking", () => {
      assetCase(
        "records the writer of an asset state write, and null for a plain set",
        async (t, identity) => {
          requireCapability(t, "writerTracking");
          const { backend } = ctx();
          const a = await ctx().asset("tracked", identity);
          const writer = { kind: "task", dagId: "d", runId: "r", taskId: "t", mapIndex: 3 } as const;
          await backend.set(a, "by-task", "1", { writer });
          await backend.set(a, "by-api", "2", { writer: { kind: "api" } });
          await backend.set(a, "plain", "3");
          expect((await backend.getEntry(a, "by-task"))?.lastUpdatedBy).toEqual(writer);
          expect((await backend.getEntry(a, "by-api"))?.lastUpdatedBy).toEqual({ kind: "api" });
          expect((await backend.getEntry(a, "plain"))?.lastUpdatedBy ?? null).toBeNull();
        },
      );
    });

    group("readiness", () => {
      it("ping() resolves while the store is reachable, changing nothing", async (t: TestContext) => {
        requireCapability(t, "readiness");
        const { backend } = ctx();
        const scope: StoreScope = await ctx().task();
        await backend.set(scope, "k", "1");
        await expect(backend.ping()).resolves.toBeUndefined();
        expect(await backend.get(scope, "k")).toBe("1");
      });
      it("ping() answers BACKEND_UNAVAILABLE when its store cannot be reached", async (t: TestContext) => {
        requireCapability(t, "readiness");
        const { fixture, backend } = ctx();
        if (fixture.breakConnection === undefined) t.skip(`the ${name} fixture gives no breakConnection()`);
        await fixture.breakConnection();
        await expect(backend.ping()).toRejectWithCode("BACKEND_UNAVAILABLE");
      });
      it("without capabilities.readiness, ping() resolves (the default checks nothing)", async (t: TestContext) => {
        const { backend } = ctx();
        if (backend.capabilities.readiness) t.skip(`${name} declares capabilities.readiness`);
        await expect(backend.ping()).resolves.toBeUndefined();
      });
    });

    group("backend-failure", () => {
      it("answers BACKEND_UNAVAILABLE when its store cannot be reached", async (t: TestContext) => {
        const { fixture, backend } = ctx();
        if (fixture.breakConnection === undefined) t.skip(`the ${name} fixture gives no breakConnection()`);
        const scope: StoreScope = await ctx().task();
        await backend.set(scope, "k", "1");
        await fixture.breakConnection();
        await expect(backend.get(scope, "k")).toRejectWithCode("BACKEND_UNAVAILABLE");
        await expect(backend.set(scope, "k", "2")).toRejectWithCode("BACKEND_UNAVAILABLE");
      });
    });

    options.additionalTests?.(async () => options.create());
  });
}
