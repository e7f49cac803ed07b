import {
  assetScope,
  BaseStoreBackend,
  type ClearOptions,
  type DeleteOptions,
  type SetOptions,
  type StoreScope,
  taskScope,
} from "@tidemark/state";
import { InMemoryStoreBackend } from "@tidemark/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAssetByName } from "../../src/metadata/assets.js";
import type { TaskInstanceRecord } from "../../src/metadata/task-instance-record.js";
import { getTaskInstance } from "../../src/metadata/task-instances.js";
import { MetastoreBackend } from "../../src/metastore/metastore-backend.js";
import {
  type ApiHarness,
  closeTestDatabases,
  DATABASE_KINDS,
  errorOf,
  harnessDatabase,
  startApiHarness,
} from "./support/api-harness.js";

afterAll(() => closeTestDatabases());

const scopeOf = (ti: TaskInstanceRecord) =>
  taskScope({ dagId: ti.dagId, runId: ti.runId, taskId: ti.taskId, mapIndex: ti.mapIndex });

describe("task instance routes", () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness();
    await h.asset("b_asset", "s3://b/");
    await h.asset("a_asset", "s3://a/");
  });
  afterAll(() => h.close());

  it("returns the task instance with its try number, inlets and outlets", async () => {
    const ti = await h.taskInstance({
      dagId: "d",
      taskId: "t",
      mapIndex: 2,
      inlets: ["b_asset", "a_asset"],
      outlets: ["a_asset"],
    });
    const answer = await h.call("GET", `/task-instances/${ti.id}`, { token: await h.token(ti.id) });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      id: ti.id,
      dag_id: "d",
      run_id: ti.runId,
      task_id: "t",
      map_index: 2,
      state: "queued",
      try_number: 1,
      inlets: [
        { name: "a_asset", uri: "s3://a/" },
        { name: "b_asset", uri: "s3://b/" },
      ],
      outlets: [{ name: "a_asset", uri: "s3://a/" }],
    });
  });

  it("records reported states, counting a new try after up_for_retry", async () => {
    const ti = await h.taskInstance();
    const token = await h.token(ti.id);
    const report = (state: string) =>
      h.call("PATCH", `/task-instances/${ti.id}/state`, { token, body: { state } });
    for (const state of ["running", "up_for_retry", "running", "failed"]) {
      expect((await report(state)).status).toBe(204);
    }
    const after = await getTaskInstance(h.database, ti.id);
    expect(after?.state).toBe("failed");
    expect(after?.tryNumber).toBe(2);
    expect((await report("running")).status).toBe(204);
    expect((await report("running")).status).toBe(204);
    expect((await getTaskInstance(h.database, ti.id))?.tryNumber).toBe(2);
    for (const body of [
      { state: "queued" },
      { state: "SUCCESS" },
      { state: null },
      {},
      { state: "success", at: 1 },
    ]) {
      errorOf(await h.call("PATCH", `/task-instances/${ti.id}/state`, { token, body }), 422, "INVALID_VALUE");
    }
  });

  it("keeps task state on success when clear_on_success is off", async () => {
    const ti = await h.taskInstance();
    const token = await h.token(ti.id);
    await h.call("PUT", `/store/ti/${ti.id}/k`, { token, body: { value: 1 } });
    await h.call("PATCH", `/task-instances/${ti.id}/state`, { token, body: { state: "success" } });
    expect((await h.call("GET", `/store/ti/${ti.id}/k`, { token })).body?.value).toBe(1);
  });
});

describe.each(DATABASE_KINDS)("clear_on_success on %s", (kind) => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness({
      database: await harnessDatabase(kind),
      config: { state_store: { clear_on_success: true } },
    });
    await h.asset("wm", "s3://wm/");
  });
  afterAll(() => h.close());

  it("clears the task instance's rows when it reports success, and nothing else", async () => {
    const ti = await h.taskInstance({ taskId: "mapped", runId: "r1", mapIndex: 0, outlets: ["wm"] });
    const sibling = await h.taskInstance({ taskId: "mapped", runId: "r1", mapIndex: 1 });
    const token = await h.token(ti.id);
    const siblingToken = await h.token(sibling.id);
    await h.call("PUT", `/store/ti/${ti.id}/a`, { token, body: { value: 1 } });
    await h.call("PUT", `/store/ti/${ti.id}/b%2Fc`, { token, body: { value: 2 } });
    await h.call("PUT", `/store/ti/${sibling.id}/a`, { token: siblingToken, body: { value: 3 } });
    await h.call("PUT", "/store/asset/by-name/value?name=wm&key=watermark", {
      token,
      body: { value: "2026" },
    });
    for (const state of ["running", "failed", "up_for_retry", "running"]) {
      await h.call("PATCH", `/task-instances/${ti.id}/state`, { token, body: { state } });
    }
    expect((await h.call("GET", `/store/ti/${ti.id}/a`, { token })).status).toBe(200);
    expect(
      (await h.call("PATCH", `/task-instances/${ti.id}/state`, { token, body: { state: "success" } })).status,
    ).toBe(204);
    const backend = new MetastoreBackend({ database: h.database });
    expect(await backend.get(scopeOf(ti), "a")).toBeNull();
    expect(await backend.get(scopeOf(ti), "b/c")).toBeNull();
    expect(await backend.get(scopeOf(sibling), "a")).toBe("3");
    const wm = await getAssetByName(h.database, "wm");
    expect(await backend.get(assetScope({ assetId: wm?.id as number }), "watermark")).toBe('"2026"');
    expect((await getTaskInstance(h.database, ti.id))?.state).toBe("success");
  });
});

describe("clear_on_success with a custom server backend", () => {
  let h: ApiHarness;
  const backend = new InMemoryStoreBackend();
  beforeAll(async () => {
    h = await startApiHarness({ backend, config: { state_store: { clear_on_success: true } } });
  });
  afterAll(() => h.close());

  it("clears through the backend after recording the success", async () => {
    const ti = await h.taskInstance();
    const token = await h.token(ti.id);
    await h.call("PUT", `/store/ti/${ti.id}/k`, { token, body: { value: 1 } });
    expect(await backend.get(scopeOf(ti), "k")).toBe("1");
    await h.call("PATCH", `/task-instances/${ti.id}/state`, { token, body: { state: "success" } });
    expect(await backend.get(scopeOf(ti), "k")).toBeNull();
    expect((await getTaskInstance(h.database, ti.id))?.state).toBe("success");
  });
});

/** A backend of another class that keeps its rows in the metastore and says so through its handle. */
class SharingBackend extends BaseStoreBackend {
  readonly inner: MetastoreBackend;
  clears = 0;
  constructor(inner: MetastoreBackend) {
    super();
    this.inner = inner;
  }
  override get capabilities() {
    return this.inner.capabilities;
  }
  override get(scope: StoreScope, key: string) {
    return this.inner.get(scope, key);
  }
  override getEntry(scope: StoreScope, key: string) {
    return this.inner.getEntry(scope, key);
  }
  override set(scope: StoreScope, key: string, value: string, options?: SetOptions) {
    return this.inner.set(scope, key, value, options);
  }
  override delete(scope: StoreScope, key: string, options?: DeleteOptions) {
    return this.inner.delete(scope, key, options);
  }
  override async clear(scope: StoreScope, options?: ClearOptions) {
    this.clears++;
    await this.inner.clear(scope, options);
  }
  override storageHandle(): unknown {
    return this.inner.storageHandle();
  }
}

describe("clear_on_success with a backend sharing the metastore's storage handle", () => {
  let h: ApiHarness;
  let backend: SharingBackend;
  beforeAll(async () => {
    h = await startApiHarness({
      backendFor: (database) => {
        backend = new SharingBackend(new MetastoreBackend({ database }));
        return backend;
      },
      config: { state_store: { clear_on_success: true } },
    });
  });
  afterAll(() => h.close());

  it("clears in the transaction that records the success, not through the backend", async () => {
    const ti = await h.taskInstance();
    const token = await h.token(ti.id);
    await h.call("PUT", `/store/ti/${ti.id}/k`, { token, body: { value: 1 } });
    await h.call("PATCH", `/task-instances/${ti.id}/state`, { token, body: { state: "success" } });
    expect(await backend.get(scopeOf(ti), "k")).toBeNull();
    expect(backend.clears).toBe(0);
    expect((await getTaskInstance(h.database, ti.id))?.state).toBe("success");
  });
});
