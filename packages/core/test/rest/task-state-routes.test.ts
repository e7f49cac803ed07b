import { taskScope, wrapStateRef } from "@tidemark/state";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiAnswer, closeTestDatabases, DATABASE_KINDS } from "../api/support/api-harness.js";
import {
  type DatabaseKind,
  itemsOf,
  type RestHarness,
  restErrorOf,
  startRestHarness,
  taskStatePath,
} from "./support/rest-harness.js";

afterAll(() => closeTestDatabases());

/** The URL of a `Link: <…>; rel="next"` header. */
function nextTarget(link: string): URL {
  const match = /^<([^>]+)>; rel="next"$/.exec(link);
  if (match === null) throw new Error(`not a rel="next" link: ${link}`);
  return new URL(match[1] as string, "http://origin.invalid");
}

/** The query of a `Link: <…>; rel="next"` header, as an object. */
function queryOf(link: string): Record<string, string> {
  return Object.fromEntries(nextTarget(link).searchParams);
}

const DAY_MS = 86_400_000;
const INCLUDE = "version,reference";
const REPRESENTATION = { prefer: "return=representation" };

describe.each<DatabaseKind>(DATABASE_KINDS)("Core REST API task state (%s)", (database) => {
  let h: RestHarness;
  let sequence = 0;

  beforeAll(async () => {
    h = await startRestHarness({ database, config: { state_store: { max_value_storage_bytes: 200 } } });
  });
  afterAll(() => h.close());

  /** A fresh task instance; returns helpers addressing its state. */
  async function ti(options: { mapIndex?: number; taskId?: string; runId?: string } = {}) {
    sequence++;
    const runId = options.runId ?? `run_${sequence}`;
    const taskId = options.taskId ?? "extract";
    const mapIndex = options.mapIndex ?? -1;
    const record = await h.api.taskInstance({ dagId: "rest_dag", runId, taskId, mapIndex });
    const q = { map_index: mapIndex };
    return {
      record,
      scope: taskScope({ dagId: "rest_dag", runId, taskId, mapIndex }),
      path: (key?: string) => taskStatePath("rest_dag", runId, taskId, key),
      q,
      /** PUT answering the entry with Tidemark's extras (Prefer: return=representation, include). */
      put: (key: string, body: unknown, headers: Record<string, string> = {}) =>
        h.rest("PUT", taskStatePath("rest_dag", runId, taskId, key), {
          body,
          query: { ...q, include: INCLUDE },
          headers: { ...REPRESENTATION, ...headers },
        }),
      patch: (key: string, body: unknown, headers: Record<string, string> = {}) =>
        h.rest("PATCH", taskStatePath("rest_dag", runId, taskId, key), {
          body,
          query: { ...q, include: INCLUDE },
          headers: { ...REPRESENTATION, ...headers },
        }),
    };
  }

  it("PUT writes a key and answers the entry; GET reads it back", async () => {
    const t = await ti();
    const before = Date.now();
    const put = await t.put("watermark", { value: { rows: 3, at: "2026-01-01" } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      key: "watermark",
      value: { rows: 3, at: "2026-01-01" },
      version: 1,
      is_reference: false,
    });
    expect(put.body?.ref).toBeUndefined();
    const expires = Date.parse(put.body?.expires_at as string);
    expect(expires).toBeGreaterThanOrEqual(before + 30 * DAY_MS - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 30 * DAY_MS + 1000);
    expect(put.body?.updated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(put.headers.get("etag")).toBe('"1"');
    const get = await h.rest("GET", t.path("watermark"), { query: { ...t.q, include: INCLUDE } });
    expect(get.status).toBe(200);
    expect(get.body).toEqual(put.body);
  });

  it("PUT expires_at: default, null (never), an ISO instant with an offset; naive, past and garbage are 422", async () => {
    const t = await ti();
    expect((await t.put("d", { value: 1, expires_at: "default" })).body?.expires_at).toEqual(
      expect.any(String),
    );
    expect((await t.put("n", { value: 1, expires_at: null })).body?.expires_at).toBeNull();
    const offset = await t.put("o", { value: 1, expires_at: "2099-06-01T02:00:00+02:00" });
    expect(offset.status).toBe(200);
    expect(offset.body?.expires_at).toBe("2099-06-01T00:00:00.000Z");
    expect(
      restErrorOf(await t.put("x", { value: 1, expires_at: "2099-06-01T00:00:00" }), 422, "INVALID_VALUE"),
    ).toContain("offset");
    expect(
      restErrorOf(await t.put("x", { value: 1, expires_at: "2001-01-01T00:00:00Z" }), 422, "INVALID_VALUE"),
    ).toContain("not in the future");
    restErrorOf(await t.put("x", { value: 1, expires_at: "tomorrow" }), 422, "INVALID_VALUE");
    restErrorOf(await t.put("x", { value: 1, expires_at: 5 }), 422, "INVALID_VALUE");
    expect((await h.rest("GET", t.path("x"), { query: t.q })).status).toBe(404);
  });

  it("default_retention_days = 0 makes the default never expire", async () => {
    const zero = await startRestHarness({ database, config: { state_store: { default_retention_days: 0 } } });
    try {
      const record = await zero.api.taskInstance({ dagId: "zero", runId: "r", taskId: "t" });
      const put = await zero.rest("PUT", taskStatePath("zero", "r", "t", "k"), {
        body: { value: "v" },
        headers: REPRESENTATION,
      });
      expect(put.status).toBe(200);
      expect(put.body?.expires_at).toBeNull();
      expect(record.mapIndex).toBe(-1);
    } finally {
      await zero.close();
    }
  });

  it("validates values and keys like the Execution API: null, missing value, unknown fields, too large, bad keys", async () => {
    const t = await ti();
    expect(restErrorOf(await t.put("k", { value: null }), 422, "INVALID_VALUE")).toContain("null");
    restErrorOf(await t.put("k", {}), 422, "INVALID_VALUE");
    restErrorOf(await t.put("k", { value: 1, colour: "red" }), 422, "INVALID_VALUE");
    restErrorOf(
      await h.rest("PUT", t.path("k"), { rawBody: "{value: NaN}", query: t.q }),
      422,
      "INVALID_VALUE",
    );
    const big = await t.put("k", { value: "x".repeat(300) });
    expect(restErrorOf(big, 422, "VALUE_TOO_LARGE")).toContain("state_store.max_value_storage_bytes");
    restErrorOf(await t.put("x".repeat(513), { value: 1 }), 422, "INVALID_KEY");
    restErrorOf(await t.put("bad\u0001key", { value: 1 }), 422, "INVALID_KEY");
    restErrorOf(await h.rest("GET", t.path("x".repeat(513)), { query: t.q }), 422, "INVALID_KEY");
    restErrorOf(await h.rest("GET", `${t.path()}/`, { query: t.q }), 422, "INVALID_KEY");
    restErrorOf(await h.rest("GET", t.path(), { query: { map_index: -2 } }), 422, "INVALID_VALUE");
    restErrorOf(await h.rest("GET", t.path(), { query: { map_index: "one" } }), 422, "INVALID_VALUE");
    const list = await h.rest("GET", t.path(), { query: t.q });
    expect(list.body?.total_entries).toBe(0);
  });

  it("keys may hold / % ? # and spaces (percent-encoded in the path)", async () => {
    const t = await ti();
    const keys = ["a/b/c", "100%", "what?", "#tag", "with space", "ünï/€"];
    for (const key of keys) expect((await t.put(key, { value: key })).status).toBe(200);
    for (const key of keys) {
      const get = await h.rest("GET", t.path(key), { query: t.q });
      expect(get.body).toMatchObject({ key, value: key });
    }
    const list = await h.rest("GET", t.path(), { query: t.q });
    expect(itemsOf<{ key: string }>(list, "task_state_store").map((e) => e.key)).toEqual([...keys].sort());
  });

  it("If-Match: a match writes the next version, a mismatch is 412 and writes nothing", async () => {
    const t = await ti();
    await t.put("k", { value: "v1" });
    const ok = await t.put("k", { value: "v2" }, { "if-match": '"1"' });
    expect(ok.status).toBe(200);
    expect(ok.body?.version).toBe(2);
    const stale = await t.put("k", { value: "v3" }, { "if-match": '"1"' });
    expect(restErrorOf(stale, 412, "PRECONDITION_FAILED")).toContain("version 2");
    restErrorOf(await t.put("missing", { value: 1 }, { "if-match": '"1"' }), 412, "PRECONDITION_FAILED");
    restErrorOf(await t.put("k", { value: 1 }, { "if-match": '"0"' }), 400, "INVALID_VALUE");
    expect((await h.rest("GET", t.path("k"), { query: { ...t.q, include: INCLUDE } })).body).toMatchObject({
      value: "v2",
      version: 2,
    });
  });

  it("PATCH replaces the value and keeps expires_at; 404 for a missing key; 412 for a stale If-Match", async () => {
    const t = await ti();
    const put = await t.put("k", { value: "v1", expires_at: "2099-01-01T00:00:00Z" });
    const patch = await t.patch("k", { value: { v: 2 } });
    expect(patch.status).toBe(200);
    expect(patch.body).toMatchObject({ value: { v: 2 }, version: 2, expires_at: "2099-01-01T00:00:00.000Z" });
    expect(put.body?.expires_at).toBe(patch.body?.expires_at);
    const never = await t.put("n", { value: 1, expires_at: null });
    expect((await t.patch("n", { value: 2 })).body?.expires_at).toBeNull();
    expect(never.status).toBe(200);
    restErrorOf(await t.patch("missing", { value: 1 }), 404, "NOT_FOUND");
    restErrorOf(await t.patch("k", { value: 3 }, { "if-match": '"1"' }), 412, "PRECONDITION_FAILED");
    restErrorOf(await t.patch("k", { value: 3, expires_at: null }), 422, "INVALID_VALUE");
    expect((await t.patch("k", { value: 3 }, { "if-match": '"2"' })).body?.version).toBe(3);
    expect((await h.rest("GET", t.path("missing"), { query: t.q })).status).toBe(404);
  });

  it("DELETE removes a key (204), and is 204 for a missing key of an existing task instance", async () => {
    const t = await ti();
    await t.put("k", { value: 1 });
    expect((await h.rest("DELETE", t.path("k"), { query: t.q })).status).toBe(204);
    restErrorOf(await h.rest("GET", t.path("k"), { query: t.q }), 404, "NOT_FOUND");
    expect((await h.rest("DELETE", t.path("k"), { query: t.q })).status).toBe(204);
  });

  it("unknown dag run or task instance is 404 on every verb, DELETE included", async () => {
    const t = await ti();
    const paths = [
      [taskStatePath("rest_dag", "no_such_run", "extract"), "DAG_RUN_NOT_FOUND"],
      [taskStatePath("no_such_dag", t.record.runId, "extract"), "DAG_RUN_NOT_FOUND"],
      [taskStatePath("rest_dag", t.record.runId, "no_such_task"), "TASK_INSTANCE_NOT_FOUND"],
    ] as const;
    for (const [collection, code] of paths) {
      restErrorOf(await h.rest("GET", collection), 404, code);
      restErrorOf(await h.rest("DELETE", collection), 404, code);
      restErrorOf(await h.rest("DELETE", collection, { query: { all_map_indices: true } }), 404, code);
      restErrorOf(await h.rest("GET", `${collection}/k`), 404, code);
      restErrorOf(await h.rest("PUT", `${collection}/k`, { body: { value: 1 } }), 404, code);
      restErrorOf(await h.rest("PATCH", `${collection}/k`, { body: { value: 1 } }), 404, code);
      restErrorOf(await h.rest("DELETE", `${collection}/k`), 404, code);
    }
    // The right task at a map index that does not exist.
    restErrorOf(await h.rest("GET", t.path(), { query: { map_index: 5 } }), 404, "TASK_INSTANCE_NOT_FOUND");
    restErrorOf(
      await h.rest("DELETE", t.path("k"), { query: { map_index: 5 } }),
      404,
      "TASK_INSTANCE_NOT_FOUND",
    );
  });

  it("pagination edges: 0 entries, exactly limit, limit + 1, offsets and limit bounds", async () => {
    const t = await ti();
    const list = (query: Record<string, number | string>) =>
      h.rest("GET", t.path(), { query: { ...t.q, ...query } });
    const keysOf = (a: ApiAnswer) => itemsOf<{ key: string }>(a, "task_state_store").map((e) => e.key);
    let page = await list({ limit: 3 });
    expect(page.body).toEqual({ task_state_store: [], total_entries: 0 });
    for (const k of ["k1", "k2", "k3"]) await t.put(k, { value: k });
    page = await list({ limit: 3 });
    expect(keysOf(page)).toEqual(["k1", "k2", "k3"]);
    expect(page.body?.total_entries).toBe(3);
    expect(keysOf(await list({ limit: 3, offset: 3 }))).toEqual([]);
    await t.put("k4", { value: "k4" });
    page = await list({ limit: 3 });
    expect(keysOf(page)).toEqual(["k1", "k2", "k3"]);
    expect(page.body?.total_entries).toBe(4);
    page = await list({ limit: 3, offset: 3 });
    expect(keysOf(page)).toEqual(["k4"]);
    expect(page.body?.total_entries).toBe(4);
    page = await list({ limit: 0 });
    expect(page.body).toEqual({ task_state_store: [], total_entries: 4 });
    expect(keysOf(await list({}))).toEqual(["k1", "k2", "k3", "k4"]);
    restErrorOf(await list({ limit: 1001 }), 422, "INVALID_VALUE");
    restErrorOf(await list({ limit: -1 }), 422, "INVALID_VALUE");
    restErrorOf(await list({ offset: -1 }), 422, "INVALID_VALUE");
    expect((await list({ limit: 1000 })).status).toBe(200);
  });

  it("cursor paging: Link rel=next carries the next page's cursor until the last page, keeping Airflow's body", async () => {
    const t = await ti();
    const keys = ["a", "a b", "a&b", "a/1", "é", "🚀"];
    for (const k of keys) await t.put(k, { value: k });
    const seen: string[] = [];
    let answer = await h.rest("GET", t.path(), { query: { ...t.q, limit: 2, offset: 1 } });
    let pages = 1;
    for (let link = answer.headers.get("link"); ; link = answer.headers.get("link")) {
      expect(answer.status).toBe(200);
      expect(Object.keys(answer.body ?? {}).sort()).toEqual(["task_state_store", "total_entries"]);
      expect(answer.body?.total_entries).toBe(keys.length);
      seen.push(...itemsOf<{ key: string }>(answer, "task_state_store").map((e) => e.key));
      if (link === null) break;
      expect(queryOf(link)).toMatchObject({ map_index: "-1", limit: "2" });
      answer = await followNext(link);
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(keys.slice(1));
    const last = await h.rest("GET", t.path(), { query: { ...t.q, cursor: "é" } });
    expect(itemsOf<{ key: string }>(last, "task_state_store").map((e) => e.key)).toEqual(["🚀"]);
    expect(last.headers.get("link")).toBeNull();
    restErrorOf(await h.rest("GET", t.path(), { query: { ...t.q, cursor: "\u0001" } }), 422, "INVALID_VALUE");
  });

  /** GETs the target of a `Link: <…>; rel="next"` header, which keeps the listing's path and query. */
  async function followNext(link: string): Promise<ApiAnswer> {
    const target = nextTarget(link);
    expect(target.pathname.startsWith("/api/v2/")).toBe(true);
    expect(target.searchParams.has("offset")).toBe(false);
    return h.rest("GET", target.pathname.slice("/api/v2".length), { query: queryOf(link) });
  }

  it("prefix is literal: % and _ are ordinary characters", async () => {
    const t = await ti();
    for (const k of ["a%b", "a%c", "a_b", "axb", "ab", "a\\b", "b%"]) await t.put(k, { value: 1 });
    const keys = async (prefix: string) =>
      itemsOf<{
        key: string;
      }>(await h.rest("GET", t.path(), { query: { ...t.q, prefix } }), "task_state_store").map((e) => e.key);
    expect(await keys("a%")).toEqual(["a%b", "a%c"]);
    expect(await keys("a_")).toEqual(["a_b"]);
    expect(await keys("a\\")).toEqual(["a\\b"]);
    expect(await keys("%")).toEqual([]);
    expect(await keys("a")).toEqual(["a%b", "a%c", "a\\b", "a_b", "ab", "axb"]);
    const counted = await h.rest("GET", t.path(), { query: { ...t.q, prefix: "a%", limit: 1 } });
    expect(counted.body?.total_entries).toBe(2);
  });

  it("expired keys are invisible on every route before any cleanup", async () => {
    const t = await ti();
    const backend = h.api.server.backend;
    await backend.set(t.scope, "gone", JSON.stringify("old"), { expiresAt: new Date(Date.now() - 60_000) });
    await t.put("live", { value: "new" });
    restErrorOf(await h.rest("GET", t.path("gone"), { query: t.q }), 404, "NOT_FOUND");
    const list = await h.rest("GET", t.path(), { query: t.q });
    expect(list.body?.total_entries).toBe(1);
    expect(itemsOf<{ key: string }>(list, "task_state_store").map((e) => e.key)).toEqual(["live"]);
    restErrorOf(await h.rest("PATCH", t.path("gone"), { body: { value: 1 }, query: t.q }), 404, "NOT_FOUND");
    const tis = await h.rest("GET", `/dags/rest_dag/dagRuns/${t.record.runId}/taskInstances`);
    expect(itemsOf<{ state_key_count: number }>(tis, "task_instances")[0]?.state_key_count).toBe(1);
    // An expired key counts as absent for writes too: If-Match cannot target it, a PUT restarts at 1.
    restErrorOf(await t.put("gone", { value: 1 }, { "if-match": '"1"' }), 412, "PRECONDITION_FAILED");
    expect((await t.put("gone", { value: "fresh" })).body).toMatchObject({ value: "fresh", version: 1 });
  });

  it("marks reference envelopes with is_reference and ref; other objects are not references", async () => {
    const t = await ti();
    const envelope = wrapStateRef("s3://bucket/prefix/rest_dag/run/extract/-1/big");
    // Workers write references (operators cannot: see the forged-reference tests).
    const backend = h.api.server.backend;
    await backend.set(t.scope, "big", JSON.stringify(envelope));
    await backend.set(t.scope, "mine", JSON.stringify({ __airflow_state_ref__: "x", other: 1 }));
    const big = await h.rest("GET", t.path("big"), { query: { ...t.q, include: INCLUDE } });
    expect(big.body).toMatchObject({
      value: envelope,
      is_reference: true,
      ref: "s3://bucket/prefix/rest_dag/run/extract/-1/big",
    });
    const notRef = await h.rest("GET", t.path("mine"), { query: { ...t.q, include: INCLUDE } });
    expect(notRef.body?.is_reference).toBe(false);
    expect(notRef.body?.ref).toBeUndefined();
    const list = await h.rest("GET", t.path(), { query: { ...t.q, include: INCLUDE } });
    expect(list.body?.task_state_store).toEqual([
      expect.objectContaining({ key: "big", is_reference: true, ref: envelope.__airflow_state_ref__ }),
      expect.objectContaining({ key: "mine", is_reference: false }),
    ]);
  });

  it("map_index addresses a mapped task instance; clear takes one map index, or all with all_map_indices", async () => {
    sequence++;
    const runId = `mapped_${sequence}`;
    const m0 = await ti({ runId, taskId: "map", mapIndex: 0 });
    const m1 = await ti({ runId, taskId: "map", mapIndex: 1 });
    const other = await ti({ runId, taskId: "other" });
    await m0.put("k", { value: 0 });
    await m1.put("k", { value: 1 });
    await other.put("k", { value: "other" });
    expect((await h.rest("GET", m1.path("k"), { query: { map_index: 1 } })).body?.value).toBe(1);
    restErrorOf(await h.rest("GET", m1.path("k")), 404, "TASK_INSTANCE_NOT_FOUND");
    expect((await h.rest("DELETE", m0.path(), { query: { map_index: 0 } })).status).toBe(204);
    expect((await h.rest("GET", m0.path(), { query: { map_index: 0 } })).body?.total_entries).toBe(0);
    expect((await h.rest("GET", m1.path(), { query: { map_index: 1 } })).body?.total_entries).toBe(1);
    await m0.put("k", { value: 0 });
    // all_map_indices needs no task instance at map_index -1, only some task instance of the task.
    expect((await h.rest("DELETE", m0.path(), { query: { all_map_indices: true } })).status).toBe(204);
    expect((await h.rest("GET", m0.path(), { query: { map_index: 0 } })).body?.total_entries).toBe(0);
    expect((await h.rest("GET", m1.path(), { query: { map_index: 1 } })).body?.total_entries).toBe(0);
    expect((await h.rest("GET", other.path(), { query: other.q })).body?.total_entries).toBe(1);
    restErrorOf(
      await h.rest("DELETE", m0.path(), { query: { all_map_indices: "yes" } }),
      422,
      "INVALID_VALUE",
    );
  });
});
