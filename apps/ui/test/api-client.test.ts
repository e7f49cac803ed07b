import { describe, expect, it, vi } from "vitest";
import { createApiClient } from "../src/api/api-client";
import { ApiError } from "../src/api/api-error";
import { answer, errorBody, fixtureFetch } from "./support/fixture-fetch";

const ti = { dagId: "etl dag", runId: "manual__2026-03-01T00:00:00+00:00", taskId: "load", mapIndex: 2 };

describe("createApiClient", () => {
  it("percent-encodes path segments and keys (a / in a key travels as %2F) and sends the map index", async () => {
    const f = fixtureFetch(answer("GET", /state-store\//, { key: "a/b", value: 1, version: 1 }));
    const client = createApiClient({ fetch: f.fetch });
    await client.getTaskState(ti, "offsets/partition 0");
    const call = f.calls[0]!;
    expect(call.rawPath).toBe(
      "/api/v2/dags/etl%20dag/dagRuns/manual__2026-03-01T00%3A00%3A00%2B00%3A00/taskInstances/load/state-store/offsets%2Fpartition%200",
    );
    expect(call.query.get("map_index")).toBe("2");
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

  it("PUTs value, expires_at and if_version in snake_case; PATCH keeps expiry out of the body", async () => {
    const f = fixtureFetch(
      answer("PUT", /state-store\/k$/, { key: "k" }),
      answer("PATCH", /state-store\/k$/, { key: "k" }),
    );
    const client = createApiClient({ fetch: f.fetch });
    await client.putTaskState(ti, "k", { value: { a: 1 }, expiresAt: "default", ifVersion: 3 });
    await client.putTaskState(ti, "k", { value: 1, expiresAt: null });
    await client.patchTaskState(ti, "k", { value: "x", ifVersion: 4 });
    expect(f.calls.map((c) => c.body)).toEqual([
      { value: { a: 1 }, expires_at: "default", if_version: 3 },
      { value: 1, expires_at: null },
      { value: "x", if_version: 4 },
    ]);
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

  it("turns an error answer into an ApiError with status, reason, message and code", async () => {
    const f = fixtureFetch(
      answer("PATCH", /state-store\/k$/, errorBody("conflict", "version is 4, not 3", "CONFLICT"), 409),
    );
    const client = createApiClient({ fetch: f.fetch });
    const error = await client.patchTaskState(ti, "k", { value: 1, ifVersion: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 409,
      reason: "conflict",
      code: "CONFLICT",
      serverMessage: "version is 4, not 3",
    });
  });

  it("calls onUnauthorized on 401 and reports an unreachable server as status 0", async () => {
    const onUnauthorized = vi.fn();
    const f = fixtureFetch(
      answer("GET", "/api/v2/assets", errorBody("unauthorized", "bad token", "UNAUTHORIZED"), 401),
    );
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
  });
});
