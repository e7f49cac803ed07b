import { taskScope } from "@tidemark/state";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MetastoreBackend, type TaskInstanceRecord } from "../../src/index.js";
import {
  type ApiHarness,
  closeTestDatabases,
  DATABASE_KINDS,
  errorOf,
  harnessDatabase,
  startApiHarness,
} from "./support/api-harness.js";

const KEYS = [
  "checkpoint/page/3",
  "100%",
  "a%2Fb",
  "question?hash#amp&",
  "München/東京/🚀",
  "key with spaces",
  "a+b=c;d",
  "trailing/",
  "...",
  "k".repeat(512),
];

afterAll(() => closeTestDatabases());

describe.each(DATABASE_KINDS)("task state routes on %s", (kind) => {
  let h: ApiHarness;
  let ti: TaskInstanceRecord;
  let token: string;
  const path = (key: string, id = ti.id) => `/store/ti/${id}/${encodeURIComponent(key)}`;
  const entryOf = async (key: string, t = ti) =>
    new MetastoreBackend({ database: h.database }).getEntry(
      taskScope({ dagId: t.dagId, runId: t.runId, taskId: t.taskId, mapIndex: t.mapIndex }),
      key,
    );

  beforeAll(async () => {
    h = await startApiHarness({
      database: await harnessDatabase(kind),
      config: { state_store: { max_value_storage_bytes: 1024, default_retention_days: 30 } },
    });
    ti = await h.taskInstance();
    token = await h.token(ti.id);
  });
  afterAll(() => h.close());

  it("round-trips values as Airflow's {value} with the version as ETag, and deletes keys", async () => {
    const put = await h.call("PUT", path("job"), { token, body: { value: { id: "app_1", n: [1, null] } } });
    expect(put.status).toBe(204);
    // An unconditional write is one plain backend write: its version is learnt by a GET, not reported.
    expect(put.headers.get("etag")).toBeNull();
    const got = await h.call("GET", path("job"), { token });
    expect(got.body).toEqual({ value: { id: "app_1", n: [1, null] } });
    expect(got.headers.get("etag")).toBe('"1"');
    const second = await h.call("PUT", path("job"), { token, body: { value: "app_2", expires_at: null } });
    expect(second.status).toBe(204);
    expect(second.headers.get("etag")).toBeNull();
    const again = await h.call("GET", path("job"), { token });
    expect(again.body).toEqual({ value: "app_2" });
    expect(again.headers.get("etag")).toBe('"2"');
    expect((await h.call("DELETE", path("job"), { token })).status).toBe(204);
    const message = errorOf(await h.call("GET", path("job"), { token }), 404, "NOT_FOUND");
    expect(message).toBe("Task state store key 'job' not found");
    expect((await h.call("DELETE", path("job"), { token })).status).toBe(204);
  });

  it('round-trips keys with "/", "%", "?", "#", Unicode and 512 characters, percent-encoded', async () => {
    for (const [i, key] of KEYS.entries()) {
      expect((await h.call("PUT", path(key), { token, body: { value: i } })).status).toBe(204);
    }
    for (const [i, key] of KEYS.entries()) {
      expect((await h.call("GET", path(key), { token })).body?.value).toBe(i);
      expect((await entryOf(key))?.value).toBe(String(i));
    }
    expect((await h.call("DELETE", path("checkpoint/page/3"), { token })).status).toBe(204);
    errorOf(await h.call("GET", path("checkpoint/page/3"), { token }), 404, "NOT_FOUND");
    expect((await h.call("GET", path("a%2Fb"), { token })).body?.value).toBe(2);
  });

  it('applies expires_at: absent or null → never (as Airflow), "default" → default retention, an offset is honoured, past → gone', async () => {
    await h.call("PUT", path("absent"), { token, body: { value: 1 } });
    expect((await entryOf("absent"))?.expiresAt).toBeNull();
    const before = Date.now();
    await h.call("PUT", path("default"), { token, body: { value: 1, expires_at: "default" } });
    const after = Date.now();
    const expires = (await entryOf("default"))?.expiresAt?.getTime() ?? 0;
    expect(expires).toBeGreaterThanOrEqual(before + 30 * 86_400_000 - 1000);
    expect(expires).toBeLessThanOrEqual(after + 30 * 86_400_000 + 1000);
    await h.call("PUT", path("forever"), { token, body: { value: 1, expires_at: null } });
    expect((await entryOf("forever"))?.expiresAt).toBeNull();
    await h.call("PUT", path("offset"), {
      token,
      body: { value: 1, expires_at: "2099-01-01T00:00:00+02:00" },
    });
    expect((await entryOf("offset"))?.expiresAt?.toISOString()).toBe("2098-12-31T22:00:00.000Z");
    await h.call("PUT", path("stale"), { token, body: { value: 1, expires_at: "2001-01-01T00:00:00Z" } });
    errorOf(await h.call("GET", path("stale"), { token }), 404, "NOT_FOUND");
    for (const expires_at of ["2099-01-01T00:00:00", "tomorrow", "2099-13-01T00:00:00Z", "DEFAULT", 5]) {
      const message = errorOf(
        await h.call("PUT", path("bad"), { token, body: { value: 1, expires_at } }),
        422,
        "INVALID_VALUE",
      );
      expect(message).toMatch(/expires_at/);
    }
    expect(await entryOf("bad")).toBeNull();
  });

  it("honours If-None-Match: * and If-Match with 412 and the current ETag on a failed precondition", async () => {
    const created = await h.call("PUT", path("cas"), {
      token,
      body: { value: "a" },
      headers: { "if-none-match": "*" },
    });
    expect(created.status).toBe(204);
    expect(created.headers.get("etag")).toBe('"1"');
    const taken = await h.call("PUT", path("cas"), {
      token,
      body: { value: "b" },
      headers: { "if-none-match": "*" },
    });
    expect(errorOf(taken, 412, "PRECONDITION_FAILED")).toMatch(/'cas' is at version 1/);
    expect(taken.headers.get("etag")).toBe('"1"');
    expect(taken.headers.get("tidemark-error-code")).toBe("PRECONDITION_FAILED");
    const updated = await h.call("PUT", path("cas"), {
      token,
      body: { value: "b" },
      headers: { "if-match": '"1"' },
    });
    expect(updated.status).toBe(204);
    expect(updated.headers.get("etag")).toBe('"2"');
    const stale = await h.call("PUT", path("cas"), {
      token,
      body: { value: "c" },
      headers: { "if-match": '"1"' },
    });
    errorOf(stale, 412, "PRECONDITION_FAILED");
    expect(stale.headers.get("etag")).toBe('"2"');
    const missing = await h.call("PUT", path("cas-missing"), {
      token,
      body: { value: "c" },
      headers: { "if-match": "*" },
    });
    errorOf(missing, 412, "PRECONDITION_FAILED");
    expect(missing.headers.get("etag")).toBeNull();
    expect(await entryOf("cas-missing")).toBeNull();
    const listed = await h.call("PUT", path("cas"), {
      token,
      body: { value: "d" },
      headers: { "if-match": '"7", "2"' },
    });
    expect(listed.headers.get("etag")).toBe('"3"');
    expect((await h.call("GET", path("cas"), { token })).body).toEqual({ value: "d" });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        h.call("PUT", path("cas"), { token, body: { value: i }, headers: { "if-match": '"3"' } }),
      ),
    );
    expect(results.filter((r) => r.status === 204)).toHaveLength(1);
    expect(results.filter((r) => r.status === 412)).toHaveLength(9);
    for (const bad of ["3", 'W/"3"', '"0"', '"x"', '"3",']) {
      const answer = await h.call("PUT", path("cas"), {
        token,
        body: { value: 0 },
        headers: { "if-match": bad },
      });
      expect(errorOf(answer, 400, "INVALID_VALUE")).toMatch(/If-Match/);
    }
    errorOf(
      await h.call("PUT", path("cas"), { token, body: { value: 0 }, headers: { "if-none-match": '"3"' } }),
      400,
      "INVALID_VALUE",
    );
    expect((await entryOf("cas"))?.version).toBe(4);
  });

  it("deletes conditionally with If-Match and refuses a stale one with 412", async () => {
    await h.call("PUT", path("cad"), { token, body: { value: 1 } });
    await h.call("PUT", path("cad"), { token, body: { value: 2 } });
    const stale = await h.call("DELETE", path("cad"), { token, headers: { "if-match": '"1"' } });
    errorOf(stale, 412, "PRECONDITION_FAILED");
    expect(stale.headers.get("etag")).toBe('"2"');
    expect((await entryOf("cad"))?.value).toBe("2");
    expect((await h.call("DELETE", path("cad"), { token, headers: { "if-match": '"2"' } })).status).toBe(204);
    expect(await entryOf("cad")).toBeNull();
    errorOf(
      await h.call("DELETE", path("cad"), { token, headers: { "if-match": "*" } }),
      412,
      "PRECONDITION_FAILED",
    );
    expect((await h.call("DELETE", path("cad"), { token, headers: { "if-none-match": "*" } })).status).toBe(
      204,
    );
  });

  it("answers 422 for extra fields, nulls, NaN, Infinity, bad types and keys outside the rules", async () => {
    const invalid: [string, { body?: unknown; rawBody?: string; contentType?: string }][] = [
      ["null value", { body: { value: null } }],
      ["missing value", { body: { expires_at: null } }],
      ["extra field", { body: { value: 1, retention: 5 } }],
      ["if_version (removed: use If-Match)", { body: { value: 1, if_version: 1 } }],
      ["if_absent (removed: use If-None-Match)", { body: { value: 1, if_absent: true } }],
      ["raw NaN", { rawBody: '{"value": NaN}' }],
      ["raw Infinity", { rawBody: '{"value": Infinity}' }],
      ["overflowing number", { rawBody: '{"value": 1e400}' }],
      ["nested overflow", { rawBody: '{"value": {"a": [1, -1e999]}}' }],
      ["empty body", { rawBody: "" }],
      ["array body", { body: [1] }],
      ["text body", { rawBody: "value=1", contentType: "text/plain" }],
    ];
    for (const [label, request] of invalid) {
      const answer = await h.call("PUT", path("k"), { token, ...request });
      expect(answer.status, label).toBe(422);
      expect(answer.body?.detail?.code, label).toBe("INVALID_VALUE");
      expect(answer.body?.detail?.reason, label).toBe("invalid");
    }
    expect(
      errorOf(await h.call("PUT", path("k"), { token, rawBody: '{"value": NaN}' }), 422, "INVALID_VALUE"),
    ).toMatch(/NaN/);
    for (const key of ["line\nbreak", "tab\there", "\u007f", "k".repeat(513)]) {
      errorOf(await h.call("PUT", path(key), { token, body: { value: 1 } }), 422, "INVALID_KEY");
      errorOf(await h.call("GET", path(key), { token }), 422, "INVALID_KEY");
    }
    errorOf(await h.call("GET", `/store/ti/${ti.id}/`, { token }), 422, "INVALID_KEY");
    errorOf(await h.call("GET", path("k"), { token }), 404, "NOT_FOUND");
  });

  it("answers 413 over max_value_storage_bytes, naming the limit, the size and the remedy", async () => {
    const message = errorOf(
      await h.call("PUT", path("big"), { token, body: { value: "x".repeat(1100) } }),
      413,
      "VALUE_TOO_LARGE",
    );
    expect(message).toMatch(
      /1102 bytes.*limit of 1024 bytes.*state_store\.max_value_storage_bytes.*worker backend/,
    );
    const huge = errorOf(
      await h.call("PUT", path("big"), { token, body: { value: "x".repeat(200_000) } }),
      413,
      "VALUE_TOO_LARGE",
    );
    expect(huge).toMatch(/limit of \d+ bytes/);
    errorOf(await h.call("GET", path("big"), { token }), 404, "NOT_FOUND");
    expect((await h.call("PUT", path("fits"), { token, body: { value: "x".repeat(1022) } })).status).toBe(
      204,
    );
  });

  it("clears only the task instance's own map index", async () => {
    const m0 = await h.taskInstance({ taskId: "mapped", runId: "map_run", mapIndex: 0 });
    const m1 = await h.taskInstance({ taskId: "mapped", runId: "map_run", mapIndex: 1 });
    const t0 = await h.token(m0.id);
    const t1 = await h.token(m1.id);
    await h.call("PUT", path("cursor", m0.id), { token: t0, body: { value: 0 } });
    await h.call("PUT", path("other", m0.id), { token: t0, body: { value: 0 } });
    await h.call("PUT", path("cursor", m1.id), { token: t1, body: { value: 1 } });
    expect((await h.call("DELETE", `/store/ti/${m0.id}`, { token: t0 })).status).toBe(204);
    errorOf(await h.call("GET", path("cursor", m0.id), { token: t0 }), 404, "NOT_FOUND");
    errorOf(await h.call("GET", path("other", m0.id), { token: t0 }), 404, "NOT_FOUND");
    expect((await h.call("GET", path("cursor", m1.id), { token: t1 })).body?.value).toBe(1);
  });
});
