import { assetScope, wrapStateRef } from "@tidemark/state";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deactivateAsset, getAssetByName } from "../../src/metadata/assets.js";
import { type ApiAnswer, closeTestDatabases, DATABASE_KINDS } from "../api/support/api-harness.js";
import {
  assetStatePath,
  type DatabaseKind,
  itemsOf,
  type RestHarness,
  restErrorOf,
  startRestHarness,
} from "./support/rest-harness.js";

afterAll(() => closeTestDatabases());

const INCLUDE = "version,reference";
const REPRESENTATION = { prefer: "return=representation" };

describe.each<DatabaseKind>(DATABASE_KINDS)("Core REST API asset state (%s)", (database) => {
  let h: RestHarness;
  let sequence = 0;

  beforeAll(async () => {
    h = await startRestHarness({ database, config: { state_store: { max_value_storage_bytes: 200 } } });
  });
  afterAll(() => h.close());

  async function asset() {
    sequence++;
    const name = `orders_${sequence}`;
    await h.api.asset(name, `s3://bucket/${name}`);
    const record = await getAssetByName(h.api.database, name);
    const id = record?.id as number;
    return {
      id,
      name,
      path: (key?: string) => assetStatePath(id, key),
      /** PUT answering the entry with Tidemark's extras (Prefer: return=representation, include). */
      put: (key: string, body: unknown, headers: Record<string, string> = {}) =>
        h.rest("PUT", assetStatePath(id, key), {
          body,
          query: { include: INCLUDE },
          headers: { ...REPRESENTATION, ...headers },
        }),
      patch: (key: string, body: unknown, headers: Record<string, string> = {}) =>
        h.rest("PATCH", assetStatePath(id, key), {
          body,
          query: { include: INCLUDE },
          headers: { ...REPRESENTATION, ...headers },
        }),
    };
  }

  it("PUT writes a key recording the writer api; GET reads it; asset entries have no expires_at", async () => {
    const a = await asset();
    const put = await a.put("watermark", { value: { last: "2026-01-01" } });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({
      key: "watermark",
      value: { last: "2026-01-01" },
      version: 1,
      updated_at: expect.stringMatching(/Z$/),
      is_reference: false,
      last_updated_by: { kind: "api", dag_id: null, run_id: null, task_id: null, map_index: null },
    });
    expect((await h.rest("GET", a.path("watermark"), { query: { include: INCLUDE } })).body).toEqual(
      put.body,
    );
    restErrorOf(await a.put("k", { value: 1, expires_at: null }), 422, "INVALID_VALUE");
  });

  it("shows a task writer's dag, run, task and map index", async () => {
    const a = await asset();
    await h.api.server.backend.set(assetScope({ assetId: a.id }), "k", "1", {
      writer: { kind: "task", dagId: "d", runId: "r", taskId: "t", mapIndex: 2 },
    });
    await h.api.server.backend.set(assetScope({ assetId: a.id }), "w", "2", { writer: { kind: "watcher" } });
    const list = await h.rest("GET", a.path());
    expect(list.body?.asset_state_store).toEqual([
      expect.objectContaining({
        key: "k",
        last_updated_by: { kind: "task", dag_id: "d", run_id: "r", task_id: "t", map_index: 2 },
      }),
      expect.objectContaining({
        key: "w",
        last_updated_by: { kind: "watcher", dag_id: null, run_id: null, task_id: null, map_index: null },
      }),
    ]);
    // A PATCH through the API makes the API the last writer.
    const patch = await a.patch("k", { value: 5 });
    expect(patch.body).toMatchObject({ value: 5, version: 2, last_updated_by: { kind: "api" } });
  });

  it("If-Match, PATCH 404, too large, bad keys and values", async () => {
    const a = await asset();
    await a.put("k", { value: "v1" });
    expect((await a.put("k", { value: "v2" }, { "if-match": '"1"' })).body?.version).toBe(2);
    restErrorOf(await a.put("k", { value: "v3" }, { "if-match": '"1"' }), 412, "PRECONDITION_FAILED");
    restErrorOf(await a.patch("k", { value: 3 }, { "if-match": '"1"' }), 412, "PRECONDITION_FAILED");
    restErrorOf(await a.patch("missing", { value: 3 }), 404, "NOT_FOUND");
    restErrorOf(await a.put("k", { value: "y".repeat(300) }), 422, "VALUE_TOO_LARGE");
    restErrorOf(await a.put("k", { value: null }), 422, "INVALID_VALUE");
    restErrorOf(await a.put("z".repeat(513), { value: 1 }), 422, "INVALID_KEY");
    expect((await h.rest("GET", a.path("k"), { query: { include: INCLUDE } })).body).toMatchObject({
      value: "v2",
      version: 2,
    });
  });

  it("DELETE a key and clear the asset; a missing key is 204", async () => {
    const a = await asset();
    await a.put("a", { value: 1 });
    await a.put("b/c", { value: 2 });
    expect((await h.rest("DELETE", a.path("a"))).status).toBe(204);
    expect((await h.rest("DELETE", a.path("a"))).status).toBe(204);
    expect((await h.rest("GET", a.path())).body?.total_entries).toBe(1);
    expect((await h.rest("DELETE", a.path())).status).toBe(204);
    expect((await h.rest("GET", a.path())).body).toEqual({ asset_state_store: [], total_entries: 0 });
  });

  it("unknown asset id is 404 on every verb; a non-integer id is 422", async () => {
    for (const path of [assetStatePath(999_999), assetStatePath(999_999, "k")]) {
      restErrorOf(await h.rest("GET", path), 404, "ASSET_NOT_FOUND");
      restErrorOf(await h.rest("DELETE", path), 404, "ASSET_NOT_FOUND");
    }
    restErrorOf(
      await h.rest("PUT", assetStatePath(999_999, "k"), { body: { value: 1 } }),
      404,
      "ASSET_NOT_FOUND",
    );
    restErrorOf(
      await h.rest("PATCH", assetStatePath(999_999, "k"), { body: { value: 1 } }),
      404,
      "ASSET_NOT_FOUND",
    );
    restErrorOf(await h.rest("GET", "/assets/abc/state-store"), 422, "INVALID_VALUE");
    restErrorOf(await h.rest("GET", "/assets/0/state-store"), 422, "INVALID_VALUE");
  });

  it("a deactivated asset's state can be read but not written (404 on PUT, PATCH, DELETE, clear)", async () => {
    const a = await asset();
    await a.put("k", { value: 1 });
    await deactivateAsset(h.api.database, a.name);
    expect((await h.rest("GET", a.path("k"))).body?.value).toBe(1);
    expect((await h.rest("GET", a.path())).body?.total_entries).toBe(1);
    expect(restErrorOf(await a.put("k", { value: 2 }), 404, "ASSET_NOT_FOUND")).toContain("deactivated");
    restErrorOf(await h.rest("PATCH", a.path("k"), { body: { value: 2 } }), 404, "ASSET_NOT_FOUND");
    restErrorOf(await h.rest("DELETE", a.path("k")), 404, "ASSET_NOT_FOUND");
    restErrorOf(await h.rest("DELETE", a.path()), 404, "ASSET_NOT_FOUND");
    expect((await h.rest("GET", a.path("k"))).body?.value).toBe(1);
  });

  it("pagination edges and literal prefixes, as for task state", async () => {
    const a = await asset();
    const list = (query: Record<string, number | string>) => h.rest("GET", a.path(), { query });
    const keys = (answer: ApiAnswer) =>
      itemsOf<{ key: string }>(answer, "asset_state_store").map((e) => e.key);
    expect((await list({ limit: 2 })).body).toEqual({ asset_state_store: [], total_entries: 0 });
    await a.put("p%1", { value: 1 });
    await a.put("p_2", { value: 2 });
    expect(keys(await list({ limit: 2 }))).toEqual(["p%1", "p_2"]);
    await a.put("px3", { value: 3 });
    const first = await list({ limit: 2 });
    expect(keys(first)).toEqual(["p%1", "p_2"]);
    expect(first.body?.total_entries).toBe(3);
    expect(keys(await list({ limit: 2, offset: 2 }))).toEqual(["px3"]);
    expect(keys(await list({ prefix: "p%" }))).toEqual(["p%1"]);
    expect(keys(await list({ prefix: "p_" }))).toEqual(["p_2"]);
  });

  it("cursor paging: Link rel=next until the last page, the body staying Airflow's", async () => {
    const a = await asset();
    for (const k of ["w/1", "w/2", "w/3", "x"]) await a.put(k, { value: k });
    const first = await h.rest("GET", a.path(), { query: { prefix: "w/", limit: 2 } });
    expect(first.body).toMatchObject({ total_entries: 3 });
    expect(Object.keys(first.body ?? {}).sort()).toEqual(["asset_state_store", "total_entries"]);
    const link = first.headers.get("link") ?? "";
    const match = /^<(\/api\/v2\/assets\/\d+\/state-store\?[^>]+)>; rel="next"$/.exec(link);
    expect(match).not.toBeNull();
    const next = new URL(match?.[1] as string, "http://origin.invalid");
    expect(Object.fromEntries(next.searchParams)).toEqual({ prefix: "w/", limit: "2", cursor: "w/2" });
    const second = await h.rest("GET", a.path(), { query: Object.fromEntries(next.searchParams) });
    expect(itemsOf<{ key: string }>(second, "asset_state_store").map((e) => e.key)).toEqual(["w/3"]);
    expect(second.body?.total_entries).toBe(3);
    expect(second.headers.get("link")).toBeNull();
    // Exactly a page: nothing follows, so no Link.
    expect(
      (await h.rest("GET", a.path(), { query: { prefix: "w/", limit: 3 } })).headers.get("link"),
    ).toBeNull();
  });

  it("marks reference envelopes", async () => {
    const a = await asset();
    const envelope = wrapStateRef("file:///data/state/asset/big");
    await h.api.server.backend.set(assetScope({ assetId: a.id }), "big", JSON.stringify(envelope));
    expect((await h.rest("GET", a.path("big"), { query: { include: INCLUDE } })).body).toMatchObject({
      is_reference: true,
      ref: "file:///data/state/asset/big",
      value: envelope,
    });
  });
});
