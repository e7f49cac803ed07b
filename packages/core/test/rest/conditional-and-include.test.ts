import { wrapStateRef } from "@tidemark/state";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAssetByName } from "../../src/metadata/assets.js";
import { closeTestDatabases, DATABASE_KINDS } from "../api/support/api-harness.js";
import {
  assetStatePath,
  type DatabaseKind,
  type RestHarness,
  restErrorOf,
  startRestHarness,
  taskStatePath,
} from "./support/rest-harness.js";

afterAll(() => closeTestDatabases());

describe.each<DatabaseKind>(DATABASE_KINDS)("Core REST API extras on request (%s)", (database) => {
  let h: RestHarness;
  let sequence = 0;

  beforeAll(async () => {
    h = await startRestHarness({ database });
  });
  afterAll(() => h.close());

  async function ti() {
    sequence++;
    const runId = `r${sequence}`;
    await h.api.taskInstance({ dagId: "x", runId, taskId: "t" });
    return (key?: string) => taskStatePath("x", runId, "t", key);
  }

  async function asset() {
    sequence++;
    await h.api.asset(`a${sequence}`);
    const id = (await getAssetByName(h.api.database, `a${sequence}`))?.id as number;
    return (key?: string) => assetStatePath(id, key);
  }

  it("include=version,reference,writer adds Tidemark's fields; unknown values are 422 naming them", async () => {
    const path = await ti();
    await h.rest("PUT", path("k"), { body: { value: 1, expires_at: null } });
    const all = await h.rest("GET", path("k"), { query: { include: "version,reference,writer" } });
    expect(all.body).toEqual({
      key: "k",
      value: 1,
      updated_at: expect.any(String),
      expires_at: null,
      version: 1,
      is_reference: false,
      last_updated_by: null,
    });
    const list = await h.rest("GET", path(), { query: { include: "version" } });
    expect(list.body?.task_state_store).toEqual([
      { key: "k", value: 1, updated_at: expect.any(String), expires_at: null, version: 1 },
    ]);
    const bad = await h.rest("GET", path("k"), { query: { include: "version,colour" } });
    expect(restErrorOf(bad, 422, "INVALID_VALUE")).toContain('"colour"');
    const a = await asset();
    await h.rest("PUT", a("w"), { body: { value: 2 } });
    expect((await h.rest("GET", a("w"), { query: { include: "version,reference" } })).body).toEqual({
      key: "w",
      value: 2,
      updated_at: expect.any(String),
      last_updated_by: { kind: "api", dag_id: null, run_id: null, task_id: null, map_index: null },
      version: 1,
      is_reference: false,
    });
  });

  it("GET, PUT and PATCH carry the version as a strong ETag", async () => {
    const path = await ti();
    const put = await h.rest("PUT", path("k"), { body: { value: 1 } });
    expect(put.headers.get("etag")).toBe('"1"');
    expect((await h.rest("GET", path("k"))).headers.get("etag")).toBe('"1"');
    const patch = await h.rest("PATCH", path("k"), { body: { value: 2 } });
    expect(patch.headers.get("etag")).toBe('"2"');
    const a = await asset();
    expect((await h.rest("PUT", a("k"), { body: { value: 1 } })).headers.get("etag")).toBe('"1"');
  });

  it("If-Match on PUT, PATCH and DELETE: a match writes, a mismatch is 412 with the live ETag and writes nothing", async () => {
    const path = await ti();
    await h.rest("PUT", path("k"), { body: { value: "v1" } });
    const ok = await h.rest("PUT", path("k"), { body: { value: "v2" }, headers: { "if-match": '"1"' } });
    expect(ok.status).toBe(204);
    expect(ok.headers.get("etag")).toBe('"2"');
    const stale = await h.rest("PUT", path("k"), { body: { value: "v3" }, headers: { "if-match": '"1"' } });
    expect(restErrorOf(stale, 412, "PRECONDITION_FAILED")).toContain("version 2");
    expect(stale.headers.get("etag")).toBe('"2"');
    const list = await h.rest("PATCH", path("k"), {
      body: { value: "v3" },
      headers: { "if-match": '"7", "2"' },
    });
    expect(list.status).toBe(200);
    expect(list.headers.get("etag")).toBe('"3"');
    restErrorOf(
      await h.rest("PATCH", path("k"), { body: { value: 0 }, headers: { "if-match": '"2"' } }),
      412,
      "PRECONDITION_FAILED",
    );
    const del = await h.rest("DELETE", path("k"), { headers: { "if-match": '"2"' } });
    restErrorOf(del, 412, "PRECONDITION_FAILED");
    expect(del.headers.get("etag")).toBe('"3"');
    expect((await h.rest("GET", path("k"))).body?.value).toBe("v3");
    expect((await h.rest("DELETE", path("k"), { headers: { "if-match": "*" } })).status).toBe(204);
    const gone = await h.rest("PUT", path("k"), { body: { value: 1 }, headers: { "if-match": "*" } });
    expect(restErrorOf(gone, 412, "PRECONDITION_FAILED")).toContain("no live value");
    expect(gone.headers.get("etag")).toBeNull();
    expect((await h.rest("GET", path("k"))).status).toBe(404);
  });

  it("If-None-Match: * creates only when no live value exists", async () => {
    const a = await asset();
    expect(
      (await h.rest("PUT", a("k"), { body: { value: 1 }, headers: { "if-none-match": "*" } })).status,
    ).toBe(204);
    const again = await h.rest("PUT", a("k"), { body: { value: 2 }, headers: { "if-none-match": "*" } });
    restErrorOf(again, 412, "PRECONDITION_FAILED");
    expect(again.headers.get("etag")).toBe('"1"');
    expect((await h.rest("GET", a("k"))).body?.value).toBe(1);
  });

  it("a malformed If-Match is 400; the old if_version body field is 422", async () => {
    const path = await ti();
    for (const header of ["1", 'W/"1"', '"one"', '"1", x']) {
      const r = await h.rest("PUT", path("k"), { body: { value: 1 }, headers: { "if-match": header } });
      expect(restErrorOf(r, 400, "INVALID_VALUE")).toContain("If-Match");
    }
    const old = await h.rest("PUT", path("k"), { body: { value: 1, if_version: 1 } });
    expect(restErrorOf(old, 422, "INVALID_VALUE")).toContain("if_version");
    expect((await h.rest("GET", path("k"))).status).toBe(404);
  });

  it("Prefer: return=representation answers a write with the entry (shaped by include)", async () => {
    const path = await ti();
    const put = await h.rest("PUT", path("k"), {
      body: { value: 1, expires_at: null },
      query: { include: "version" },
      headers: { prefer: "return=representation" },
    });
    expect(put.status).toBe(200);
    expect(put.headers.get("preference-applied")).toBe("return=representation");
    expect(put.body).toEqual({
      key: "k",
      value: 1,
      updated_at: expect.any(String),
      expires_at: null,
      version: 1,
    });
  });

  it("refuses a value shaped like a reference envelope with 422 naming the marker and how to store such data", async () => {
    const path = await ti();
    const a = await asset();
    for (const value of [wrapStateRef("s3://b/k"), { __airflow_state_ref__: 5, other: 1 }]) {
      for (const [method, url] of [
        ["PUT", path("k")],
        ["PUT", a("k")],
        ["PATCH", a("k")],
      ] as const) {
        const r = await h.rest(method, url, { body: { value } });
        const message = restErrorOf(r, 422, "INVALID_VALUE");
        expect(message).toContain("__airflow_state_ref__");
        expect(message).toContain("wrap it");
      }
    }
    expect((await h.rest("GET", path("k"))).status).toBe(404);
    expect(
      (await h.rest("PUT", path("k"), { body: { value: { data: wrapStateRef("s3://b/k") } } })).status,
    ).toBe(204);
  });

  it("restore_reference takes the seal an export read (ref_seal), for that key's envelope only", async () => {
    sequence++;
    const runId = `r${sequence}`;
    const record = await h.api.taskInstance({ dagId: "x", runId, taskId: "t" });
    const path = (key: string) => taskStatePath("x", runId, "t", key);
    // A worker writes the envelope, as a worker backend does.
    const token = await h.api.token(record.id);
    const envelope = wrapStateRef("s3://b/k");
    const put = await h.api.call("PUT", `/store/ti/${record.id}/k`, { token, body: { value: envelope } });
    expect(put.status).toBe(204);
    const read = await h.rest("GET", path("k"), { query: { include: "reference" } });
    const seal = (read.body as { ref_seal?: string }).ref_seal as string;
    expect(seal).toMatch(/^[\w-]{43}$/);
    expect((await h.rest("DELETE", path("k"))).status).toBe(204);
    const restored = await h.rest("PUT", path("k"), {
      body: { value: envelope },
      query: { restore_reference: seal },
    });
    expect(restored.status).toBe(204);
    expect((await h.rest("GET", path("k"), { query: { include: "reference" } })).body).toMatchObject({
      is_reference: true,
      ref: "s3://b/k",
      ref_seal: seal,
    });
    for (const [key, value, query] of [
      ["other", envelope, seal],
      ["k", wrapStateRef("s3://b/another"), seal],
      ["k", envelope, "made-up"],
    ] as const) {
      const refused = await h.rest("PUT", path(key), {
        body: { value },
        query: { restore_reference: query },
      });
      expect(restErrorOf(refused, 422, "INVALID_VALUE")).toContain(
        "does not match its scope, key and reference",
      );
    }
    restErrorOf(
      await h.rest("PUT", path("p"), { body: { value: 1 }, query: { restore_reference: seal } }),
      422,
      "INVALID_VALUE",
    );
    expect((await h.rest("GET", path("other"))).status).toBe(404);
  });
});
