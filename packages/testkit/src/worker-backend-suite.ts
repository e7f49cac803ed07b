import {
  type AssetScope,
  assetScope,
  createStateStore,
  type JsonValue,
  STATE_REF_KEY,
  type StateStore,
  type StoreScope,
  type TaskScope,
  taskScope,
  type WorkerStoreBackend,
} from "@tidemark/state";
import { afterEach, beforeEach, describe, expect, it, type TestContext } from "vitest";
import { InMemoryStoreBackend } from "./in-memory-store-backend.js";
import { installStateStoreMatchers } from "./matchers/install-matchers.js";
import type { WorkerBackendFixture } from "./worker-backend-fixture.js";

/** The groups of {@link workerBackendSuite}; each can be skipped with a stated reason. */
export type WorkerBackendSuiteGroup = "references" | "envelope" | "resolution" | "removal" | "threshold";

/** The harness a worker backend gives {@link workerBackendSuite}. */
export interface WorkerBackendSuiteOptions<W extends WorkerStoreBackend = WorkerStoreBackend> {
  /** The backend's name in the suite title and in skip reasons. */
  readonly name: string;
  /** Builds a fresh fixture; called before every test. */
  readonly create: () => WorkerBackendFixture<W> | Promise<WorkerBackendFixture<W>>;
  /** Groups to skip, each with the reason printed in the group's title. */
  readonly skip?: Partial<Record<WorkerBackendSuiteGroup, string>>;
  /** Registers backend-specific cases inside the suite's `describe`, given the fixture factory. */
  readonly additionalTests?: (create: () => Promise<WorkerBackendFixture<W>>) => void;
}

type Side = "task" | "asset";

interface CaseContext<W extends WorkerStoreBackend> {
  readonly fixture: WorkerBackendFixture<W>;
  readonly backend: W;
  /** The server side the worker talks to: an in-memory backend holding what the database would. */
  readonly server: InMemoryStoreBackend;
  /** The worker-side state store core over {@link server} with the backend under test. */
  readonly store: StateStore;
  /** A value large enough to be offloaded. */
  readonly big: JsonValue;
}

const FOREIGN_REF = "tidemark-foreign://no-backend-writes-this/dag/run/task/-1/key";

function scopeOf(side: Side, init: { taskId?: string; mapIndex?: number; asset?: string } = {}): StoreScope {
  if (side === "asset") return assetScope({ name: init.asset ?? "worker_asset" });
  return taskScope({
    dagId: "worker_dag",
    runId: "manual__2001-01-01",
    taskId: init.taskId ?? "offload",
    mapIndex: init.mapIndex ?? -1,
  });
}

async function serialize(backend: WorkerStoreBackend, scope: StoreScope, key: string, value: JsonValue) {
  const text = JSON.stringify(value);
  return scope.kind === "task"
    ? backend.serializeTaskStateStoreToRef({ value, text, key, scope })
    : backend.serializeAssetStateStoreToRef({ value, text, key, scope });
}

async function deserialize(backend: WorkerStoreBackend, scope: StoreScope, key: string, ref: string) {
  return scope.kind === "task"
    ? backend.deserializeTaskStateStoreFromRef(ref, { key, scope })
    : backend.deserializeAssetStateStoreFromRef(ref, { key, scope: scope as AssetScope });
}

/**
 * Registers the conformance suite of the worker-side contract ({@link WorkerStoreBackend}) as vitest
 * suites:
 *
 * ```ts
 * workerBackendSuite({ name: "MyWorkerBackend", create: () => ({ backend: new MyWorkerBackend(opts) }) });
 * ```
 *
 * References must be deterministic for (scope, key); the envelope round trip runs through the state
 * store core on the worker side (`createStateStore(server, { side: "worker", workerBackend })`) over an
 * in-memory server; a foreign reference is `INVALID_VALUE`, a missing object `NOT_FOUND`; delete and
 * clear remove the objects. Task and asset cases are skipped, saying so, when the backend does not
 * declare that it offloads them; asset scopes are addressed by name and by uri, as workers do.
 *
 * @param options - the name, the fixture factory, groups to skip, extra cases.
 */
export function workerBackendSuite<W extends WorkerStoreBackend>(
  options: WorkerBackendSuiteOptions<W>,
): void {
  installStateStoreMatchers();
  const { name } = options;

  describe(`worker backend suite: ${name}`, () => {
    let current: CaseContext<W> | undefined;
    beforeEach(async () => {
      const fixture = await options.create();
      const server = new InMemoryStoreBackend();
      current = {
        fixture,
        backend: fixture.backend,
        server,
        store: createStateStore(server, {
          side: "worker",
          workerBackend: fixture.backend,
          references: "accept",
          maxValueStorageBytes: 0,
        }),
        big: { payload: "x".repeat(Math.max(256, fixture.threshold ?? 0)), rows: [1, 2, 3] },
      };
    });
    afterEach(async () => {
      const fixture = current?.fixture;
      current = undefined;
      if (fixture === undefined) return;
      if (fixture.dispose) await fixture.dispose();
      else await fixture.backend.close?.();
    });
    const ctx = (): CaseContext<W> => {
      if (current === undefined) throw new Error("the fixture was not created");
      return current;
    };

    const group = (id: WorkerBackendSuiteGroup, body: () => void) => {
      const reason = options.skip?.[id];
      describe.skipIf(reason !== undefined)(reason === undefined ? id : `${id} (skipped: ${reason})`, body);
    };
    /** Skips the running case unless the backend offloads that side's state. */
    const requireOffload = (t: TestContext, side: Side) => {
      const declared = side === "task" ? "taskState" : "assetState";
      if (!ctx().backend.workerCapabilities[declared]) {
        t.skip(`${name} does not declare workerCapabilities.${declared}`);
      }
    };
    /** Serializes the big value and insists on a reference. */
    const offload = async (scope: StoreScope, key: string): Promise<string> => {
      const ref = await serialize(ctx().backend, scope, key, ctx().big);
      expect(typeof ref).toBe("string");
      expect(ref).not.toBe("");
      return ref as string;
    };
    const exists = async (t: TestContext, ref: string): Promise<boolean> => {
      const check = ctx().fixture.objectExists;
      if (check === undefined) t.skip(`the ${name} fixture gives no objectExists(ref)`);
      return check(ref);
    };
    const bothSides = (title: string, fn: (t: TestContext, side: Side) => Promise<void>) => {
      for (const side of ["task", "asset"] as const) it(`${title} (${side} state)`, (t) => fn(t, side));
    };

    group("references", () => {
      bothSides("returns the same reference for the same scope and key", async (t, side) => {
        requireOffload(t, side);
        const scope = scopeOf(side);
        const first = await offload(scope, "job");
        expect(await offload(scope, "job")).toBe(first);
        expect(await serialize(ctx().backend, scope, "job", { other: "x".repeat(300) })).toBe(first);
      });
      bothSides("returns different references for different keys and scopes", async (t, side) => {
        requireOffload(t, side);
        const refs = new Set([
          await offload(scopeOf(side), "a"),
          await offload(scopeOf(side), "b"),
          await offload(scopeOf(side, { taskId: "other", asset: "other_asset" }), "a"),
        ]);
        if (side === "task") refs.add(await offload(scopeOf(side, { mapIndex: 3 }), "a"));
        expect(refs.size).toBe(side === "task" ? 4 : 3);
      });
      it("addresses an asset by name and by uri", async (t) => {
        requireOffload(t, "asset");
        const byName = assetScope({ name: "orders" });
        const byUri = assetScope({ uri: "s3://conformance/orders" });
        const refName = await offload(byName, "k");
        const refUri = await offload(byUri, "k");
        expect(await deserialize(ctx().backend, byName, "k", refName)).toEqual(ctx().big);
        expect(await deserialize(ctx().backend, byUri, "k", refUri)).toEqual(ctx().big);
      });
    });

    group("envelope", () => {
      bothSides(
        "stores only the envelope on the server and resolves it through the core",
        async (t, side) => {
          requireOffload(t, side);
          const { store, server, big } = ctx();
          const scope = scopeOf(side);
          await store.set(scope, "report", big);
          const ref = await serialize(ctx().backend, scope, "report", big);
          expect(await server.get(scope, "report")).toBe(JSON.stringify({ [STATE_REF_KEY]: ref }));
          expect(await store.get(scope, "report")).toEqual(big);
          const entry = await store.getEntry(scope, "report");
          expect(entry?.reference).toBe(ref);
          expect(entry?.value).toEqual(big);
        },
      );
      bothSides("resolves the value written last after an overwrite", async (t, side) => {
        requireOffload(t, side);
        const { store, big } = ctx();
        const scope = scopeOf(side);
        await store.set(scope, "report", big);
        const newer = { ...(big as Record<string, JsonValue>), version: 2 };
        await store.set(scope, "report", newer);
        expect(await store.get(scope, "report")).toEqual(newer);
      });
    });

    group("resolution", () => {
      bothSides("answers a reference it does not own with INVALID_VALUE", async (t, side) => {
        requireOffload(t, side);
        const foreign = ctx().fixture.foreignRef ?? FOREIGN_REF;
        await expect(deserialize(ctx().backend, scopeOf(side), "key", foreign)).toRejectWithCode(
          "INVALID_VALUE",
        );
      });
      bothSides("answers a reference whose object is gone with NOT_FOUND", async (t, side) => {
        requireOffload(t, side);
        const scope = scopeOf(side);
        const ref = await offload(scope, "gone");
        await ctx().backend.delete(scope, "gone");
        await expect(deserialize(ctx().backend, scope, "gone", ref)).toRejectWithCode("NOT_FOUND");
      });
    });

    group("removal", () => {
      bothSides("removes the object when the core deletes the key", async (t, side) => {
        requireOffload(t, side);
        const { store, big } = ctx();
        const scope = scopeOf(side);
        await store.set(scope, "doomed", big);
        await store.set(scope, "kept", big);
        const doomed = (await store.getEntry(scope, "doomed"))?.reference as string;
        const kept = (await store.getEntry(scope, "kept"))?.reference as string;
        expect(await exists(t, doomed)).toBe(true);
        await store.delete(scope, "doomed");
        expect(await exists(t, doomed)).toBe(false);
        expect(await exists(t, kept)).toBe(true);
        expect(await store.get(scope, "doomed")).toBeNull();
      });
      bothSides("removes every object of the scope when the core clears it", async (t, side) => {
        requireOffload(t, side);
        const { store, big } = ctx();
        const scope = scopeOf(side);
        const bystander = scopeOf(side, { taskId: "bystander", asset: "bystander_asset" });
        await store.set(scope, "a", big);
        await store.set(scope, "b", big);
        await store.set(bystander, "a", big);
        const refs = [
          (await store.getEntry(scope, "a"))?.reference as string,
          (await store.getEntry(scope, "b"))?.reference as string,
        ];
        const other = (await store.getEntry(bystander, "a"))?.reference as string;
        for (const ref of refs) expect(await exists(t, ref)).toBe(true);
        await store.clear(scope);
        for (const ref of refs) expect(await exists(t, ref)).toBe(false);
        expect(await exists(t, other)).toBe(true);
      });
      it("clears every map index with allMapIndices, and only that task's", async (t) => {
        requireOffload(t, "task");
        const { backend } = ctx();
        const m0 = scopeOf("task", { taskId: "mapped", mapIndex: 0 }) as TaskScope;
        const m4 = scopeOf("task", { taskId: "mapped", mapIndex: 4 }) as TaskScope;
        const twin = scopeOf("task", { taskId: "mapped2", mapIndex: 0 }) as TaskScope;
        const refs = [await offload(m0, "k"), await offload(m4, "k")];
        const twinRef = await offload(twin, "k");
        await backend.clear(m0, { allMapIndices: true });
        for (const ref of refs) expect(await exists(t, ref)).toBe(false);
        expect(await exists(t, twinRef)).toBe(true);
      });
      bothSides("treats delete and clear with no objects as no-ops", async (_t, side) => {
        const scope = scopeOf(side, { taskId: "nothing", asset: "nothing" });
        await expect(ctx().backend.delete(scope, "missing")).resolves.toBeUndefined();
        await expect(ctx().backend.clear(scope)).resolves.toBeUndefined();
      });
    });

    group("threshold", () => {
      bothSides(
        "keeps values below the threshold inline and offloads those at it",
        async (t: TestContext, side) => {
          requireOffload(t, side);
          const { threshold } = ctx().fixture;
          if (threshold === undefined || threshold < 3) {
            t.skip(`the ${name} fixture declares no inline threshold (of at least 3 bytes)`);
          }
          const { store, server } = ctx();
          const scope = scopeOf(side);
          const small = "s".repeat(threshold - 3); // JSON text: threshold - 1 bytes
          const exact = "e".repeat(threshold - 2); // JSON text: threshold bytes
          expect(await serialize(ctx().backend, scope, "small", small)).toBeNull();
          expect(typeof (await serialize(ctx().backend, scope, "exact", exact))).toBe("string");
          await store.set(scope, "small", small);
          expect(await server.get(scope, "small")).toBe(JSON.stringify(small));
          expect((await store.getEntry(scope, "small"))?.reference).toBeNull();
        },
      );
    });

    options.additionalTests?.(async () => options.create());
  });
}
