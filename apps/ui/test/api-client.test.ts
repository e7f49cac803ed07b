import { describe, expect, it, vi } from "vitest";
import { createApiClient } from "../src/api/api-client";
import { ApiError } from "../src/api/api-error";
import { answer, failure, fixtureFetch } from "./support/fixture-fetch";

const ti = { dagId: "etl dag", runId: "manual__2026-03-01T00:00:00+00:00", taskId: "load", mapIndex: 2 };

describe("createApiClient", () => {
  it("percent-encodes path segments and keys (a / in a key travels as %2F) and sends the map index", async () => {
    const f = fixtureFetch(
      answer("GET", /state-store\//, {
        key: "a/b",
        value: 1,
        updated_at: "2026-03-01T00:00:00Z",
        expires_at: null,
        version: 1,
        is_reference: false,
      }),
    );
    const client = createApiClient({ fetch: f.fetch });
    await client.getTaskState(ti, "offsets/partition 0");
    const call = f.calls[0]!;
    expect(call.rawPath).toBe(
      "/api/v2/dags/etl%20dag/dagRuns/manual__2026-03-01T00%3A00%3A00%2B00%3A00/taskInstances/load/state-store/offsets%2Fpartition%200",
    );
    expect(call.query.get("map_index")).toBe("2");
  });

  it("asks every state read for version and reference, and builds the UI's entries from Airflow's shapes", async () => {
    const updated_at = "2026-03-01T00:00:00Z";
    const f = fixtureFetch(
      answer("GET", /taskInstances\/load\/state-store$/, {
        task_state_store: [
          {
            key: "blob",
            value: { __airflow_state_ref__: "s3://b/k" },
            updated_at,
            expires_at: null,
            version: 2,
            is_reference: true,
            ref: "s3://b/k",
          },
        ],
        total_entries: 1,
      }),
      answer("GET", "/api/v2/assets/7/state-store", {
        asset_state_store: [
          {
            key: "w",
            value: 1,
            updated_at,
            last_updated_by: { kind: "api", dag_id: null, run_id: null, task_id: null, map_index: null },
            version: 4,
            is_reference: false,
          },
        ],
        total_entries: 1,
      }),
      answer("GET", "/api/v2/assets/7/state-store/w", {
        key: "w",
        value: 1,
        updated_at,
        last_updated_by: null,
        version: 4,
        is_reference: false,
      }),
    );
    const client = createApiClient({ fetch: f.fetch });
    const tasks = await client.listTaskState(ti, { prefix: "b" });
    const assets = await client.listAssetState(7);
    const one = await client.getAssetState(7, "w");
    expect(f.calls.map((c) => c.query.get("include"))).toEqual([
      "version,reference",
      "version,reference",
      "version,reference",
    ]);
    expect(f.calls[0]!.query.get("prefix")).toBe("b");
    expect(tasks.items).toEqual([
      {
        key: "blob",
        value: { __airflow_state_ref__: "s3://b/k" },
        updated_at,
        expires_at: null,
        version: 2,
        is_reference: true,
        ref: "s3://b/k",
      },
    ]);
    expect(assets.items[0]).toEqual({
      key: "w",
      value: 1,
      updated_at,
      expires_at: null,
      version: 4,
      is_reference: false,
      last_updated_by: { kind: "api", dag_id: null, run_id: null, task_id: null, map_index: null },
    });
    expect(one).toMatchObject({ version: 4, expires_at: null, last_updated_by: null });
  });

  it("sends the bearer token when one is kept, and none for /config/ui", async () => {
    const f = fixtureFetch(
      answer("GET", "/api/v2/config/ui", {
        auth: "token",
        default_retention_days: 7,
        max_value_storage_bytes: 100,
      }),
      answer("GET", "/api/v2/dags", { dags: [], total_entries: 0 }),
    );
    const client = createApiClient({ fetch: f.fetch, getToken: () => "s3cret" });
    await client.getUiConfig();
    await client.listDags({ search: "et", limit: 10, offset: 0 });
    expect(f.calls[0]!.headers.authorization).toBeUndefined();
    expect(f.calls[1]!.headers.authorization).toBe("Bearer s3cret");
    expect(f.calls[1]!.query.get("search")).toBe("et");
    expect(f.calls[1]!.query.get("limit")).toBe("10");
  });

  it("PUTs value and expires_at, PATCH only the value; versions travel as If-Match, adds as If-None-Match: *", async () => {
    const wire = { key: "k", value: 1, updated_at: "2026-03-01T00:00:00Z", expires_at: null, version: 4 };
    const f = fixtureFetch(
      answer("PUT", /state-store\/k$/, wire, 200, { etag: '"4"' }),
      answer("PATCH", /state-store\/k$/, wire, 200, { etag: '"4"' }),
      answer("PUT", /assets\/7\/state-store\/k$/, { ...wire, last_updated_by: null }),
    );
    const client = createApiClient({ fetch: f.fetch });
    await client.putTaskState(ti, "k", { value: { a: 1 }, expiresAt: "default", ifVersion: 3 });
    await client.putTaskState(ti, "k", { value: 1, expiresAt: null, ifAbsent: true });
    await client.patchTaskState(ti, "k", { value: "x", ifVersion: 4 });
    await client.putAssetState(7, "k", { value: 2 });
    expect(f.calls.map((c) => c.body)).toEqual([
      { value: { a: 1 }, expires_at: "default" },
      { value: 1, expires_at: null },
      { value: "x" },
      { value: 2 },
    ]);
    expect(f.calls.map((c) => [c.headers["if-match"], c.headers["if-none-match"]])).toEqual([
      ['"3"', undefined],
      [undefined, "*"],
      ['"4"', undefined],
      [undefined, undefined],
    ]);
    for (const call of f.calls) {
      expect(call.headers.prefer).toBe("return=representation");
      expect(call.query.get("include")).toBe("version,reference");
    }
    expect(f.calls[0]!.headers["content-type"]).toBe("application/json");
  });

  it("clears one map index, or all of them with all_map_indices=true", async () => {
    const f = fixtureFetch(answer("DELETE", /state-store$/, undefined, 204));
    const client = createApiClient({ fetch: f.fetch });
    await client.clearTaskState(ti, { allMapIndices: false });
    await client.clearTaskState(ti, { allMapIndices: true });
    expect(f.calls[0]!.query.get("all_map_indices")).toBeNull();
    expect(f.calls[0]!.query.get("map_index")).toBe("2");
    expect(f.calls[1]!.query.get("all_map_indices")).toBe("true");
  });

  it("turns an error answer into an ApiError with status, message, the header's code and a 412's live version", async () => {
    const f = fixtureFetch(
      failure(
        "PATCH",
        /state-store\/k$/,
        412,
        "precondition failed: If-Match requires version 3 but the live value is at version 4",
        "PRECONDITION_FAILED",
        { etag: '"4"' },
      ),
      failure("PUT", /state-store\/gone$/, 412, "precondition failed", "PRECONDITION_FAILED"),
    );
    const client = createApiClient({ fetch: f.fetch });
    const error = await client.patchTaskState(ti, "k", { value: 1, ifVersion: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 412,
      code: "PRECONDITION_FAILED",
      serverMessage: "precondition failed: If-Match requires version 3 but the live value is at version 4",
      currentVersion: 4,
    });
    const gone = await client
      .putTaskState(ti, "gone", { value: 1, expiresAt: null, ifVersion: 3 })
      .catch((e: unknown) => e);
    expect(gone).toMatchObject({ status: 412, code: "PRECONDITION_FAILED", currentVersion: undefined });
  });

  it("calls onUnauthorized on 401 and reports an unreachable server as status 0", async () => {
    const onUnauthorized = vi.fn();
    const f = fixtureFetch(failure("GET", "/api/v2/assets", 401, "bad token", "UNAUTHORIZED"));
    const client = createApiClient({ fetch: f.fetch, onUnauthorized });
    await expect(client.listAssets()).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);

    const down = createApiClient({ fetch: () => Promise.reject(new TypeError("Failed to fetch")) });
    await expect(down.listAssets()).rejects.toMatchObject({ status: 0 });
  });

  it("describes a non-JSON error body by its status alone", async () => {
    const client = createApiClient({
      fetch: async () => new Response("<html>Bad Gateway</html>", { status: 502 }),
    });
    const error = (await client.listAssets().catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(502);
    expect(error.serverMessage).toBeUndefined();
    expect(error.code).toBeUndefined();
  });
});

describe("createApiClient deletes", () => {
  it("sends the version a delete was confirmed for as If-Match, and nothing without one", async () => {
    const f = fixtureFetch(
      answer("DELETE", /state-store\/k$/, undefined, 204),
      answer("DELETE", "/api/v2/assets/7/state-store/w", undefined, 204),
    );
    const client = createApiClient({ fetch: f.fetch });
    await client.deleteTaskState(ti, "k", { ifVersion: 3 });
    await client.deleteAssetState(7, "w", { ifVersion: 5 });
    await client.deleteTaskState(ti, "k");
    expect(f.calls.map((c) => [c.method, c.headers["if-match"], c.headers.prefer])).toEqual([
      ["DELETE", '"3"', undefined],
      ["DELETE", '"5"', undefined],
      ["DELETE", undefined, undefined],
    ]);
  });
});
