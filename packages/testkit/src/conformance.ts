import {
  type AssetScope,
  type BaseStoreBackend,
  isStateStoreError,
  type JsonValue,
  type TaskScope,
  taskScope,
} from "@tidemark/state";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

/** The groups of the conformance suite; each can be skipped with a stated reason. */
export type ConformanceGroup =
  | "round-trip"
  | "missing-and-delete"
  | "task-isolation"
  | "map-index"
  | "region"
  | "asset-isolation"
  | "expiry"
  | "keys"
  | "concurrency"
  | "compare-and-set"
  | "list"
  | "writer-tracking";

/** How assets are addressed in an {@link AssetScope}. */
export type AssetIdentity = "assetId" | "name" | "uri";

/** The harness a backend gives {@link runStoreBackendConformance}. */
export interface StoreBackendConformanceOptions<B extends BaseStoreBackend = BaseStoreBackend> {
  /** Builds a fresh, empty backend; called before every test. */
  create: () => B | Promise<B>;
  /** Releases a backend after its test. Default: `backend.close()`. */
  dispose?: (backend: B) => void | Promise<void>;
  /**
   * Makes a task scope exist where the backend needs it (a dag run and task instance in a metastore) and
   * returns the scope to use. Default: the scope as given.
   */
  prepareTaskScope?: (backend: B, scope: TaskScope) => TaskScope | Promise<TaskScope>;
  /**
   * Makes an asset exist and returns its scope addressed by `identity`, or null when the backend does not
   * address assets that way (those tests are then skipped, saying so). Default: the name or uri as given,
   * null for assetId.
   */
  prepareAssetScope?: (
    backend: B,
    asset: { name: string; uri: string },
    identity: AssetIdentity,
  ) => AssetScope | null | Promise<AssetScope | null>;
  /** Groups to skip, each with the reason printed in the test title. */
  skip?: Partial<Record<ConformanceGroup, string>>;
}

/** The JSON shapes every backend must round-trip byte for byte. */
export const CONFORMANCE_VALUES: Readonly<Record<string, JsonValue>> = Object.freeze({
  "plain string": "hello",
  "string with quotes, backslashes and newlines": 'she said "hi"\\n\n\t',
  "string with Unicode": "Zürich → 東京 🚀",
  "empty string": "",
  "positive integer": 42,
  "negative integer": -7,
  zero: 0,
  "large safe integer": 9007199254740991,
  float: 2.5,
  "tiny float": 1.5e-10,
  "boolean true": true,
  "boolean false": false,
  array: [1, "two", false, null, 3.5],
  "nested object": { job: { id: "app_1", attempts: [1, 2], meta: { ok: true, note: null } } },
  "empty object": {},
  "empty array": [],
});

const SPECIAL_KEYS = [
  "checkpoint/page/3",
  "100%",
  "a_b%c",
  "key with spaces",
  "question?hash#amp&",
  "München/東京/🚀",
  "k".repeat(512),
  "é".repeat(512),
];

/**
 * Registers the conformance suite of the state store contract as vitest suites. Every backend must pass
 * it; provider authors call it from a test file:
 *
 * ```ts
 * runStoreBackendConformance("MyBackend", { create: () => new MyBackend(opts) });
 * ```
 *
 * A fresh backend is built for each test. Groups that depend on a capability (`expiry`,
 * `compareAndSet`, `listKeys`, `writerTracking`) are skipped, with the reason in their title, when the
 * backend does not declare it; `skip` skips others with a reason of the harness's own.
 *
 * @param name - the backend's name in the suite title.
 * @param options - the harness: `create`, optional `dispose`, scope preparation and `skip`.
 */
export function runStoreBackendConformance<B extends BaseStoreBackend>(
  name: string,
  options: StoreBackendConformanceOptions<B>,
): void {
  describe(`state store backend conformance: ${name}`, () => {
    let backend: B;
    beforeEach(async () => {
      backend = await options.create();
    });
    afterEach(async () => {
      if (options.dispose) await options.dispose(backend);
      else await backend.close();
    });

    const task = async (
      init: { dagId?: string; runId?: string; taskId?: string; mapIndex?: number; regionId?: string } = {},
    ) => {
      const scope = taskScope({
        dagId: init.dagId ?? "conformance_dag",
        runId: init.runId ?? "manual__2001-01-01",
        taskId: init.taskId ?? "extract",
        mapIndex: init.mapIndex ?? -1,
        ...(init.regionId === undefined ? {} : { regionId: init.regionId }),
      });
      return options.prepareTaskScope ? options.prepareTaskScope(backend, scope) : scope;
    };
    const asset = async (assetName: string, identity: AssetIdentity): Promise<AssetScope | null> => {
      const ref = { name: assetName, uri: `s3://conformance/${assetName}` };
      if (options.prepareAssetScope) return options.prepareAssetScope(backend, ref, identity);
      if (identity === "assetId") return null;
      return identity === "name" ? { kind: "asset", name: ref.name } : { kind: "asset", uri: ref.uri };
    };

    /** Declares a group, or a single placeholder test that says why the group is skipped. */
    const group = (id: ConformanceGroup, body: () => void) => {
      const reason = options.skip?.[id];
      describe(id, () => {
        if (reason !== undefined) {
          it(`skipped: ${reason}`, (ctx) => ctx.skip(reason));
          return;
        }
        body();
      });
    };
    /** A test that skips itself, with the reason, when the backend lacks a capability. */
    const gated = (
      capability: "expiry" | "compareAndSet" | "listKeys" | "writerTracking",
      title: string,
      fn: () => Promise<void>,
    ) =>
      it(title, async (ctx) => {
        if (!backend.capabilities[capability]) {
          ctx.skip(`${name} does not declare capabilities.${capability}`);
          return;
        }
        await fn();
      });

    group("round-trip", () => {
      for (const [label, value] of Object.entries(CONFORMANCE_VALUES)) {
        it(`round-trips ${label} in task and asset scopes`, async () => {
          const text = JSON.stringify(value);
          const scope = await task();
          await backend.set(scope, "k", text);
          expect(await backend.get(scope, "k")).toBe(text);
          const a = (await asset("roundtrip", "name")) ?? (await asset("roundtrip", "uri"));
          if (a !== null) {
            await backend.set(a, "k", text);
            expect(await backend.get(a, "k")).toBe(text);
          }
        });
      }
      it("overwrites a key with the last value written", async () => {
        const scope = await task();
        await backend.set(scope, "job_id", JSON.stringify("app_1"));
        await backend.set(scope, "job_id", JSON.stringify({ id: "app_2" }));
        expect(await backend.get(scope, "job_id")).toBe('{"id":"app_2"}');
      });
      it("keeps task state and asset state with the same key apart", async () => {
        const scope = await task();
        const a = (await asset("apart", "name")) ?? (await asset("apart", "uri"));
        await backend.set(scope, "watermark", '"task"');
        if (a !== null) {
          await backend.set(a, "watermark", '"asset"');
          expect(await backend.get(a, "watermark")).toBe('"asset"');
        }
        expect(await backend.get(scope, "watermark")).toBe('"task"');
      });
    });

    group("missing-and-delete", () => {
      it("returns null for a key never written", async () => {
        expect(await backend.get(await task(), "never-written")).toBeNull();
      });
      it("deletes a key, leaving the others", async () => {
        const scope = await task();
        await backend.set(scope, "a", "1");
        await backend.set(scope, "b", "2");
        await backend.delete(scope, "a");
        expect(await backend.get(scope, "a")).toBeNull();
        expect(await backend.get(scope, "b")).toBe("2");
      });
      it("treats delete of a missing key as a no-op", async () => {
        const scope = await task();
        await expect(backend.delete(scope, "missing")).resolves.toBeUndefined();
        const a = (await asset("nodelete", "name")) ?? (await asset("nodelete", "uri"));
        if (a !== null) await expect(backend.delete(a, "missing")).resolves.toBeUndefined();
      });
      it("treats clear of an empty scope as a no-op", async () => {
        await expect(backend.clear(await task({ taskId: "empty" }))).resolves.toBeUndefined();
      });
    });

    group("task-isolation", () => {
      it("clears one task instance and leaves other tasks, runs, dags and assets alone", async () => {
        const target = await task();
        const others = [
          await task({ taskId: "load" }),
          await task({ runId: "manual__2001-01-02" }),
          await task({ dagId: "other_dag" }),
        ];
        const a = (await asset("bystander", "name")) ?? (await asset("bystander", "uri"));
        await backend.set(target, "k1", "1");
        await backend.set(target, "k2", "2");
        for (const [i, s] of others.entries()) await backend.set(s, "k1", String(10 + i));
        if (a !== null) await backend.set(a, "k1", "99");
        await backend.clear(target);
        expect(await backend.get(target, "k1")).toBeNull();
        expect(await backend.get(target, "k2")).toBeNull();
        for (const [i, s] of others.entries()) expect(await backend.get(s, "k1")).toBe(String(10 + i));
        if (a !== null) expect(await backend.get(a, "k1")).toBe("99");
      });
    });

    group("map-index", () => {
      it("keeps map indices apart and clears only the scope's map index by default", async () => {
        const m0 = await task({ taskId: "mapped", mapIndex: 0 });
        const m1 = await task({ taskId: "mapped", mapIndex: 1 });
        await backend.set(m0, "cursor", "0");
        await backend.set(m1, "cursor", "1");
        expect(await backend.get(m0, "cursor")).toBe("0");
        await backend.clear(m0);
        expect(await backend.get(m0, "cursor")).toBeNull();
        expect(await backend.get(m1, "cursor")).toBe("1");
      });
      it("clears every map index with allMapIndices, and only that task's", async () => {
        const m0 = await task({ taskId: "mapped", mapIndex: 0 });
        const m7 = await task({ taskId: "mapped", mapIndex: 7 });
        const otherTask = await task({ taskId: "mapped_other", mapIndex: 0 });
        await backend.set(m0, "cursor", "0");
        await backend.set(m7, "cursor", "7");
        await backend.set(otherTask, "cursor", "42");
        await backend.clear(m0, { allMapIndices: true });
        expect(await backend.get(m0, "cursor")).toBeNull();
        expect(await backend.get(m7, "cursor")).toBeNull();
        expect(await backend.get(otherTask, "cursor")).toBe("42");
      });
    });

    group("region", () => {
      const r1 = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed";
      const r2 = "6ec0bd7f-11c0-43da-975e-2a8ad9ebae0b";
      it("keeps two regions of one task instance apart, and apart from the all-zero region", async () => {
        const none = await task({ taskId: "regional" });
        const a = await task({ taskId: "regional", regionId: r1 });
        const b = await task({ taskId: "regional", regionId: r2 });
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
        const a0 = await task({ taskId: "regional", regionId: r1, mapIndex: 0 });
        const a1 = await task({ taskId: "regional", regionId: r1, mapIndex: 1 });
        const b0 = await task({ taskId: "regional", regionId: r2, mapIndex: 0 });
        const none0 = await task({ taskId: "regional", mapIndex: 0 });
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
      for (const identity of ["assetId", "name", "uri"] as const) {
        it(`isolates assets addressed by ${identity}`, async (ctx) => {
          const a1 = await asset("orders", identity);
          const a2 = await asset("customers", identity);
          if (a1 === null || a2 === null) {
            ctx.skip(`${name} does not address assets by ${identity}`);
            return;
          }
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
      }
    });

    group("expiry", () => {
      gated("expiry", "reads a key whose expiresAt has passed as null, before any cleanup", async () => {
        const scope = await task();
        await backend.set(scope, "stale", '"x"', { expiresAt: new Date(Date.now() - 60_000) });
        await backend.set(scope, "fresh", '"y"', { expiresAt: new Date(Date.now() + 3_600_000) });
        expect(await backend.get(scope, "stale")).toBeNull();
        expect(await backend.getEntry(scope, "stale")).toBeNull();
        expect(await backend.get(scope, "fresh")).toBe('"y"');
      });
      gated("expiry", "removes expired keys on cleanup and keeps the rest", async () => {
        const scope = await task();
        await backend.set(scope, "stale", '"x"', { expiresAt: new Date(Date.now() - 60_000) });
        await backend.set(scope, "forever", '"z"', { expiresAt: null });
        await backend.set(scope, "fresh", '"y"', { expiresAt: new Date(Date.now() + 3_600_000) });
        const dry = await backend.cleanup({ dryRun: true });
        expect(dry.dryRun).toBe(true);
        expect(sum(dry.deleted)).toBe(1);
        const report = await backend.cleanup();
        expect(sum(report.deleted)).toBe(1);
        expect(sum((await backend.cleanup()).deleted)).toBe(0);
        expect(await backend.get(scope, "forever")).toBe('"z"');
        expect(await backend.get(scope, "fresh")).toBe('"y"');
      });
      gated(
        "expiry",
        "never expires a key written with expiresAt null, and overwriting resets expiry",
        async () => {
          const scope = await task();
          await backend.set(scope, "k", "1", { expiresAt: new Date(Date.now() - 1000) });
          await backend.set(scope, "k", "2", { expiresAt: null });
          expect(await backend.get(scope, "k")).toBe("2");
          await backend.cleanup();
          expect(await backend.get(scope, "k")).toBe("2");
        },
      );
    });

    group("keys", () => {
      it('round-trips keys with "/", "%", "_", spaces, "?", "#", Unicode and 512 characters', async () => {
        const scope = await task();
        for (const [i, key] of SPECIAL_KEYS.entries()) await backend.set(scope, key, String(i));
        for (const [i, key] of SPECIAL_KEYS.entries()) expect(await backend.get(scope, key)).toBe(String(i));
        await backend.delete(scope, "checkpoint/page/3");
        expect(await backend.get(scope, "checkpoint/page/3")).toBeNull();
        expect(await backend.get(scope, "100%")).toBe("1");
        const a = (await asset("keys", "name")) ?? (await asset("keys", "uri"));
        if (a !== null) {
          await backend.set(a, "a/b", '"slash"');
          await backend.set(a, "a_b", '"underscore"');
          expect(await backend.get(a, "a/b")).toBe('"slash"');
          expect(await backend.get(a, "a_b")).toBe('"underscore"');
        }
      });
      it('keeps "a/b" and "a_b" and "a%2Fb" apart', async () => {
        const scope = await task();
        await backend.set(scope, "a/b", "1");
        await backend.set(scope, "a_b", "2");
        await backend.set(scope, "a%2Fb", "3");
        expect([
          await backend.get(scope, "a/b"),
          await backend.get(scope, "a_b"),
          await backend.get(scope, "a%2Fb"),
        ]).toEqual(["1", "2", "3"]);
      });
    });

    group("concurrency", () => {
      it("ends 50 concurrent sets of one key with one of the written values", async () => {
        const scope = await task();
        const written = Array.from({ length: 50 }, (_, i) => JSON.stringify({ writer: i }));
        await Promise.all(written.map((v) => backend.set(scope, "contended", v)));
        expect(written).toContain(await backend.get(scope, "contended"));
      });
    });

    group("compare-and-set", () => {
      gated("compareAndSet", "versions start at 1 and grow by one per write", async () => {
        const scope = await task();
        await backend.set(scope, "w", "1");
        expect((await backend.getEntry(scope, "w"))?.version).toBe(1);
        await backend.set(scope, "w", "2");
        const entry = await backend.getEntry(scope, "w");
        expect(entry?.version).toBe(2);
        expect(entry?.value).toBe("2");
      });
      gated("compareAndSet", "ifAbsent writes only when no live value exists", async () => {
        const scope = await task();
        await backend.set(scope, "once", '"first"', { ifAbsent: true });
        const err = await backend.set(scope, "once", '"second"', { ifAbsent: true }).catch((e: unknown) => e);
        expect(isStateStoreError(err, "CONFLICT")).toBe(true);
        expect(await backend.get(scope, "once")).toBe('"first"');
      });
      gated("compareAndSet", "ifVersion writes only at the expected version", async () => {
        const scope = await task();
        await backend.set(scope, "w", '"a"');
        await backend.set(scope, "w", '"b"', { ifVersion: 1 });
        const stale = await backend.set(scope, "w", '"c"', { ifVersion: 1 }).catch((e: unknown) => e);
        expect(isStateStoreError(stale, "CONFLICT")).toBe(true);
        expect(await backend.get(scope, "w")).toBe('"b"');
        const missing = await backend.set(scope, "nope", '"x"', { ifVersion: 1 }).catch((e: unknown) => e);
        expect(isStateStoreError(missing, "CONFLICT")).toBe(true);
        expect(await backend.get(scope, "nope")).toBeNull();
      });
      gated("compareAndSet", "delete with ifVersion deletes only at the expected version", async () => {
        const scope = await task();
        await backend.set(scope, "d", '"a"');
        await backend.set(scope, "d", '"b"');
        const stale = await backend.delete(scope, "d", { ifVersion: 1 }).catch((e: unknown) => e);
        expect(isStateStoreError(stale, "CONFLICT")).toBe(true);
        expect(await backend.get(scope, "d")).toBe('"b"');
        await backend.delete(scope, "d", { ifVersion: 2 });
        expect(await backend.get(scope, "d")).toBeNull();
        const missing = await backend.delete(scope, "d", { ifVersion: 2 }).catch((e: unknown) => e);
        expect(isStateStoreError(missing, "CONFLICT")).toBe(true);
        const a = (await asset("cas-delete", "name")) ?? (await asset("cas-delete", "uri"));
        if (a === null) return;
        await backend.set(a, "d", '"x"');
        const staleAsset = await backend.delete(a, "d", { ifVersion: 5 }).catch((e: unknown) => e);
        expect(isStateStoreError(staleAsset, "CONFLICT")).toBe(true);
        await backend.delete(a, "d", { ifVersion: 1 });
        expect(await backend.get(a, "d")).toBeNull();
      });
      gated(
        "compareAndSet",
        "lets exactly one of 20 concurrent writers with the same ifVersion win",
        async () => {
          const scope = await task();
          await backend.set(scope, "watermark", '"2001-01-01"');
          const results = await Promise.allSettled(
            Array.from({ length: 20 }, (_, i) =>
              backend.set(scope, "watermark", JSON.stringify(`w${i}`), { ifVersion: 1 }),
            ),
          );
          const won = results.filter((r) => r.status === "fulfilled");
          const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
          expect(won).toHaveLength(1);
          for (const r of lost) expect(isStateStoreError(r.reason, "CONFLICT")).toBe(true);
          expect((await backend.getEntry(scope, "watermark"))?.version).toBe(2);
        },
      );
      gated("compareAndSet", "treats an expired key as absent for ifAbsent", async () => {
        if (!backend.capabilities.expiry) return;
        const scope = await task();
        await backend.set(scope, "lease", '"old"', { expiresAt: new Date(Date.now() - 1000) });
        await backend.set(scope, "lease", '"new"', { ifAbsent: true });
        expect(await backend.get(scope, "lease")).toBe('"new"');
      });
    });

    group("list", () => {
      gated("listKeys", "lists live keys in key order with the total, paginated", async () => {
        const scope = await task();
        for (const k of ["c", "a", "b", "d"]) await backend.set(scope, k, JSON.stringify(k));
        if (backend.capabilities.expiry) {
          await backend.set(scope, "b0-expired", "0", { expiresAt: new Date(Date.now() - 1000) });
        }
        const page1 = await backend.list(scope, { limit: 3, offset: 0 });
        expect(page1.total).toBe(4);
        expect(page1.entries.map((e) => e.key)).toEqual(["a", "b", "c"]);
        expect(page1.entries[0]?.value).toBe('"a"');
        const page2 = await backend.list(scope, { limit: 3, offset: 3 });
        expect(page2.entries.map((e) => e.key)).toEqual(["d"]);
        expect((await backend.list(scope, { limit: 3, offset: 4 })).entries).toEqual([]);
      });
      gated("listKeys", "matches prefixes literally, with % and _ not acting as wildcards", async () => {
        const scope = await task();
        for (const k of ["50%_off", "50%_on", "50x_off", "5_", "5a", "page/1", "page/2", "pagex"]) {
          await backend.set(scope, k, "1");
        }
        const keys = async (prefix: string) =>
          (await backend.list(scope, { prefix, limit: 100 })).entries.map((e) => e.key);
        expect(await keys("50%_")).toEqual(["50%_off", "50%_on"]);
        expect(await keys("5_")).toEqual(["5_"]);
        expect(await keys("page/")).toEqual(["page/1", "page/2"]);
        expect((await backend.list(scope, { prefix: "zzz" })).total).toBe(0);
      });
    });

    group("writer-tracking", () => {
      gated(
        "writerTracking",
        "records the writer of an asset state write, and null for a plain set",
        async () => {
          const a = (await asset("tracked", "name")) ?? (await asset("tracked", "uri"));
          expect(a).not.toBeNull();
          if (a === null) return;
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
  });
}

function sum(counts: Readonly<Record<string, number>>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
