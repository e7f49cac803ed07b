import { assetScope, type StoreBackendCapabilities, taskScope } from "@tidemark/state";
import { InMemoryStoreBackend } from "@tidemark/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAssetByName } from "../../src/metadata/assets.js";
import {
  assetStatePath,
  itemsOf,
  type RestHarness,
  restErrorOf,
  startRestHarness,
  taskStatePath,
} from "./support/rest-harness.js";

/** A real in-memory backend that declares it cannot list keys (as a key-value store might). */
class UnlistableBackend extends InMemoryStoreBackend {
  override readonly capabilities: StoreBackendCapabilities = Object.freeze({
    expiry: true,
    compareAndSet: true,
    listKeys: false,
  });
}

describe("the configured server backend serves the Core REST API", () => {
  let h: RestHarness;
  let backend: InMemoryStoreBackend;
  beforeAll(async () => {
    backend = new InMemoryStoreBackend();
    h = await startRestHarness({ backend });
    await h.api.taskInstance({ dagId: "mem", runId: "r", taskId: "t" });
    await h.api.asset("feed");
  });
  afterAll(() => h.close());

  it("writes and reads through the backend, not the metastore tables", async () => {
    expect((await h.rest("PUT", taskStatePath("mem", "r", "t", "k"), { body: { value: "v" } })).status).toBe(
      204,
    );
    expect(await backend.get(taskScope({ dagId: "mem", runId: "r", taskId: "t" }), "k")).toBe('"v"');
    const rows = await h.api.database.db.selectFrom("task_state_store").selectAll().execute();
    expect(rows).toEqual([]);
    const get = await h.rest("GET", taskStatePath("mem", "r", "t", "k"), { query: { include: "version" } });
    expect(get.body).toMatchObject({ value: "v", version: 1 });
    expect(get.headers.get("etag")).toBe('"1"');
    const tis = await h.rest("GET", "/dags/mem/dagRuns/r/taskInstances");
    expect(itemsOf(tis, "task_instances")[0]).toMatchObject({ state_key_count: 1 });
    const asset = await getAssetByName(h.api.database, "feed");
    const put = await h.rest("PUT", assetStatePath(asset?.id as number, "w"), { body: { value: 1 } });
    expect(put.status).toBe(204);
    expect(
      await backend.get(assetScope({ assetId: asset?.id as number, name: "feed", uri: "feed" }), "w"),
    ).toBe("1");
    expect(itemsOf(await h.rest("GET", "/assets"), "assets")[0]).toMatchObject({
      name: "feed",
      state_key_count: 1,
    });
  });
});

describe("a server backend without listKeys", () => {
  let h: RestHarness;
  beforeAll(async () => {
    h = await startRestHarness({ backend: new UnlistableBackend() });
    await h.api.taskInstance({ dagId: "nolist", runId: "r", taskId: "t" });
    await h.api.asset("feed");
  });
  afterAll(() => h.close());

  it("answers listings with 501 NOT_SUPPORTED naming the backend, while single keys still work", async () => {
    const path = taskStatePath("nolist", "r", "t");
    expect(restErrorOf(await h.rest("GET", path), 501, "NOT_SUPPORTED")).toContain("UnlistableBackend");
    expect((await h.rest("PUT", `${path}/k`, { body: { value: 1 } })).status).toBe(204);
    expect((await h.rest("GET", `${path}/k`)).body).toMatchObject({ value: 1 });
    const asset = await getAssetByName(h.api.database, "feed");
    restErrorOf(await h.rest("GET", assetStatePath(asset?.id as number)), 501, "NOT_SUPPORTED");
    const tis = await h.rest("GET", "/dags/nolist/dagRuns/r/taskInstances");
    expect(itemsOf(tis, "task_instances")[0]).toMatchObject({ state_key_count: 0 });
  });
});
