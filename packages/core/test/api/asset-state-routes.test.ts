import { assetScope } from "@tidemark/state";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deactivateAsset, getAssetByName } from "../../src/metadata/assets.js";
import type { TaskInstanceRecord } from "../../src/metadata/task-instance-record.js";
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

const ORDERS_URI = "s3://data/orders/?v=1&x=#frag";

describe.each(DATABASE_KINDS)("asset state routes on %s", (kind) => {
  let h: ApiHarness;
  let ti: TaskInstanceRecord;
  let token: string;
  const byName = (name: string, key?: string, route = "value") =>
    `/store/asset/by-name/${route}?name=${encodeURIComponent(name)}${key === undefined ? "" : `&key=${encodeURIComponent(key)}`}`;
  const byUri = (uri: string, key?: string, route = "value") =>
    `/store/asset/by-uri/${route}?uri=${encodeURIComponent(uri)}${key === undefined ? "" : `&key=${encodeURIComponent(key)}`}`;
  const entryOf = async (name: string, key: string) => {
    const asset = await getAssetByName(h.database, name);
    return new MetastoreBackend({ database: h.database }).getEntry(
      assetScope({ assetId: asset?.id as number }),
      key,
    );
  };

  beforeAll(async () => {
    h = await startApiHarness({
      database: await harnessDatabase(kind),
      config: { state_store: { max_value_storage_bytes: 512 } },
    });
    await h.asset("orders", ORDERS_URI);
    await h.asset("retired", "s3://data/retired/");
    await h.asset("other", "s3://data/other/");
    ti = await h.taskInstance({
      dagId: "asset_dag",
      taskId: "load",
      mapIndex: 4,
      inlets: ["orders", "retired"],
      outlets: ["orders"],
    });
    token = await h.token(ti.id);
  });
  afterAll(() => h.close());

  it("addresses the same asset by name and by uri", async () => {
    const put = await h.call("PUT", byName("orders", "watermark"), { token, body: { value: "2026-05-01" } });
    expect(put.status).toBe(204);
    expect(put.headers.get("etag")).toBeNull();
    const first = await h.call("GET", byUri(ORDERS_URI, "watermark"), { token });
    expect(first.body).toEqual({ value: "2026-05-01" });
    expect(first.headers.get("etag")).toBe('"1"');
    expect(
      (await h.call("PUT", byUri(ORDERS_URI, "watermark"), { token, body: { value: "2026-05-02" } })).status,
    ).toBe(204);
    const second = await h.call("GET", byName("orders", "watermark"), { token });
    expect(second.body).toEqual({ value: "2026-05-02" });
    expect(second.headers.get("etag")).toBe('"2"');
  });

  it("records the task instance as the writer", async () => {
    await h.call("PUT", byName("orders", "cursor/page"), { token, body: { value: { page: 3 } } });
    const entry = await entryOf("orders", "cursor/page");
    expect(entry?.value).toBe('{"page":3}');
    expect(entry?.lastUpdatedBy).toEqual({
      kind: "task",
      dagId: "asset_dag",
      runId: ti.runId,
      taskId: "load",
      mapIndex: 4,
    });
  });

  it("deletes keys and clears the asset, by name and by uri", async () => {
    await h.call("PUT", byName("orders", "a"), { token, body: { value: 1 } });
    await h.call("PUT", byName("orders", "b"), { token, body: { value: 2 } });
    expect((await h.call("DELETE", byUri(ORDERS_URI, "a"), { token })).status).toBe(204);
    errorOf(await h.call("GET", byName("orders", "a"), { token }), 404, "NOT_FOUND");
    expect((await h.call("DELETE", byName("orders", "a"), { token })).status).toBe(204);
    expect((await h.call("DELETE", byName("orders", undefined, "clear"), { token })).status).toBe(204);
    errorOf(await h.call("GET", byName("orders", "b"), { token }), 404, "NOT_FOUND");
    await h.call("PUT", byName("orders", "c"), { token, body: { value: 3 } });
    expect((await h.call("DELETE", byUri(ORDERS_URI, undefined, "clear"), { token })).status).toBe(204);
    errorOf(await h.call("GET", byName("orders", "c"), { token }), 404, "NOT_FOUND");
  });

  it("answers 404 ASSET_NOT_FOUND for unknown and deactivated assets", async () => {
    const watcher = await h.watcherToken([{ name: "ghost" }, { uri: "s3://ghost/" }]);
    expect(
      errorOf(await h.call("GET", byName("ghost", "k"), { token: watcher }), 404, "ASSET_NOT_FOUND"),
    ).toMatch(/ghost/);
    errorOf(
      await h.call("PUT", byUri("s3://ghost/", "k"), { token: watcher, body: { value: 1 } }),
      404,
      "ASSET_NOT_FOUND",
    );
    errorOf(await h.call("GET", byName("ghost", "k"), { token }), 404, "ASSET_NOT_FOUND");
    await h.call("PUT", byName("retired", "k"), { token, body: { value: 1 } });
    await deactivateAsset(h.database, "retired");
    for (const [method, path] of [
      ["GET", byName("retired", "k")],
      ["PUT", byUri("s3://data/retired/", "k")],
      ["DELETE", byName("retired", "k")],
      ["DELETE", byUri("s3://data/retired/", undefined, "clear")],
    ] as const) {
      errorOf(
        await h.call(method, path, { token, body: method === "PUT" ? { value: 2 } : undefined }),
        404,
        "ASSET_NOT_FOUND",
      );
    }
  });

  it("answers 403 for an asset the task instance did not declare", async () => {
    errorOf(await h.call("PUT", byName("other", "k"), { token, body: { value: 1 } }), 403, "FORBIDDEN");
    errorOf(await h.call("GET", byUri("s3://data/other/", "k"), { token }), 403, "FORBIDDEN");
  });

  it("honours If-None-Match: * and If-Match on PUT and DELETE, with 412 and the current ETag", async () => {
    const created = await h.call("PUT", byName("orders", "lease"), {
      token,
      body: { value: "w1" },
      headers: { "if-none-match": "*" },
    });
    expect(created.status).toBe(204);
    expect(created.headers.get("etag")).toBe('"1"');
    const taken = await h.call("PUT", byName("orders", "lease"), {
      token,
      body: { value: "w2" },
      headers: { "if-none-match": "*" },
    });
    errorOf(taken, 412, "PRECONDITION_FAILED");
    expect(taken.headers.get("etag")).toBe('"1"');
    const updated = await h.call("PUT", byName("orders", "lease"), {
      token,
      body: { value: "w2" },
      headers: { "if-match": '"1"' },
    });
    expect(updated.headers.get("etag")).toBe('"2"');
    const stale = await h.call("PUT", byUri(ORDERS_URI, "lease"), {
      token,
      body: { value: "w3" },
      headers: { "if-match": '"1"' },
    });
    errorOf(stale, 412, "PRECONDITION_FAILED");
    expect(stale.headers.get("etag")).toBe('"2"');
    errorOf(
      await h.call("DELETE", byUri(ORDERS_URI, "lease"), { token, headers: { "if-match": '"1"' } }),
      412,
      "PRECONDITION_FAILED",
    );
    expect((await entryOf("orders", "lease"))?.value).toBe('"w2"');
    expect(
      (await h.call("DELETE", byName("orders", "lease"), { token, headers: { "if-match": '"2"' } })).status,
    ).toBe(204);
    expect(await entryOf("orders", "lease")).toBeNull();
    for (const field of ["if_absent", "if_version"]) {
      const answer = await h.call("PUT", byName("orders", "lease"), {
        token,
        body: { value: "w4", [field]: field === "if_absent" ? true : 1 },
      });
      expect(errorOf(answer, 422, "INVALID_VALUE")).toContain(field);
    }
  });

  it("answers 422 for bad queries and bodies, and 413 over the size limit", async () => {
    for (const path of [
      "/store/asset/by-name/value?name=orders",
      "/store/asset/by-name/value?key=k",
      "/store/asset/by-name/value?name=orders&key=k&extra=1",
      "/store/asset/by-name/value?name=&key=k",
      "/store/asset/by-name/value?name=orders&key=k&key=l",
      "/store/asset/by-uri/value?name=orders&key=k",
    ]) {
      expect((await h.call("GET", path, { token })).status, path).toBe(422);
    }
    errorOf(await h.call("GET", byName("orders", "bad\u0000key"), { token }), 422, "INVALID_KEY");
    errorOf(await h.call("GET", byName("orders", ""), { token }), 422, "INVALID_KEY");
    errorOf(
      await h.call("PUT", byName("orders", "k"), { token, body: { value: 1, expires_at: null } }),
      422,
      "INVALID_VALUE",
    );
    errorOf(
      await h.call("PUT", byName("orders", "k"), { token, body: { value: null } }),
      422,
      "INVALID_VALUE",
    );
    errorOf(
      await h.call("PUT", byName("orders", "k"), { token, rawBody: '{"value": [NaN]}' }),
      422,
      "INVALID_VALUE",
    );
    const message = errorOf(
      await h.call("PUT", byUri(ORDERS_URI, "k"), { token, body: { value: { blob: "x".repeat(600) } } }),
      413,
      "VALUE_TOO_LARGE",
    );
    expect(message).toMatch(/limit of 512 bytes/);
  });
});
