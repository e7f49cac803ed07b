import { isStateStoreError, StateStoreError } from "@tidemark/state";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ExecutionApiClient } from "../src/index.js";
import { type RecordingServer, startRecordingServer } from "./support/recording-server.js";

const fastRetry = { attempts: 3, initialDelayMs: 1, maxDelayMs: 5 };

describe("ExecutionApiClient against a recording HTTP server", () => {
  let server: RecordingServer;
  let client: ExecutionApiClient;
  beforeEach(async () => {
    server = await startRecordingServer();
    client = new ExecutionApiClient({ baseUrl: `${server.baseUrl}/`, token: "tok", retry: fastRetry });
  });
  afterEach(async () => {
    await server.close();
  });

  it("sends the bearer token and percent-encodes keys and ids", async () => {
    await client.setTaskState(
      "ti/1",
      "a/b?c#d%e ü",
      { x: 1 },
      { expiresAt: new Date("2026-01-01T00:00:00Z") },
    );
    const [req] = server.requests;
    expect(req?.method).toBe("PUT");
    expect(req?.url).toBe("/execution/store/ti/ti%2F1/a%2Fb%3Fc%23d%25e%20%C3%BC");
    expect(req?.authorization).toBe("Bearer tok");
    expect(JSON.parse(req?.body ?? "")).toEqual({ value: { x: 1 }, expires_at: "2026-01-01T00:00:00.000Z" });
  });

  it("sends compare-and-set as If-Match / If-None-Match only when given, and asset queries by name and uri", async () => {
    await client.setTaskState("t", "k", 1, { expiresAt: null, ifVersion: 3 });
    await client.setAssetState({ name: "orders & co" }, "w/m", "v", { ifAbsent: true });
    await client.deleteAssetState({ uri: "s3://b/k?x=1" }, "k");
    await client.clearAssetState({ name: "n" });
    await client.clearTaskState("t");
    const [put, asset, del, clear, clearTi] = server.requests;
    expect(JSON.parse(put?.body ?? "")).toEqual({ value: 1, expires_at: null });
    expect(put?.headers["if-match"]).toBe('"3"');
    expect(put?.headers["if-none-match"]).toBeUndefined();
    expect(asset?.url).toBe("/execution/store/asset/by-name/value?name=orders%20%26%20co&key=w%2Fm");
    expect(JSON.parse(asset?.body ?? "")).toEqual({ value: "v" });
    expect(asset?.headers["if-none-match"]).toBe("*");
    expect(del?.headers["if-match"]).toBeUndefined();
    expect(del?.url).toBe("/execution/store/asset/by-uri/value?uri=s3%3A%2F%2Fb%2Fk%3Fx%3D1&key=k");
    expect(clear?.url).toBe("/execution/store/asset/by-name/clear?name=n");
    expect(clearTi?.url).toBe("/execution/store/ti/t");
  });

  it("maps the task instance body to camelCase", async () => {
    server.script.push({
      status: 200,
      body: {
        id: "ti1",
        dag_id: "d",
        run_id: "r",
        task_id: "t",
        map_index: 2,
        state: "queued",
        try_number: 1,
        inlets: [{ name: "a", uri: "s3://a" }],
        outlets: [],
      },
    });
    const ti = await client.getTaskInstance("ti1");
    expect(ti).toEqual({
      id: "ti1",
      dagId: "d",
      runId: "r",
      taskId: "t",
      mapIndex: 2,
      state: "queued",
      tryNumber: 1,
      inlets: [{ name: "a", uri: "s3://a" }],
      outlets: [],
    });
  });

  it("throws a failed precondition (412) as CONFLICT with the server's message, without retrying", async () => {
    server.script.push({
      status: 412,
      body: {
        detail: {
          reason: "precondition_failed",
          message: "key k is at version 2, not 1",
          code: "PRECONDITION_FAILED",
        },
      },
      headers: { etag: '"2"', "tidemark-error-code": "PRECONDITION_FAILED" },
    });
    const error = await client.setTaskState("t", "k", 1, { expiresAt: null, ifVersion: 1 }).catch((e) => e);
    expect(isStateStoreError(error, "CONFLICT")).toBe(true);
    expect(error.message).toBe("key k is at version 2, not 1");
    expect(server.requests).toHaveLength(1);
  });

  it("reads the code from the Tidemark-Error-Code header before the body", async () => {
    server.script.push({
      status: 404,
      body: { detail: { reason: "not_found", message: "Asset with name='x' not found", code: "NOT_FOUND" } },
      headers: { "tidemark-error-code": "ASSET_NOT_FOUND" },
    });
    expect(
      isStateStoreError(await client.getAssetState({ name: "x" }, "k").catch((e) => e), "ASSET_NOT_FOUND"),
    ).toBe(true);
  });

  it('sends expires_at "default" when asked, and refuses it before sending without default-expiry', async () => {
    await client.setTaskState("t", "k", 1, { expiresAt: "default" });
    expect(JSON.parse(server.requests[0]?.body ?? "")).toEqual({ value: 1, expires_at: "default" });
    const plain = await startRecordingServer({ extensions: [] });
    try {
      const other = new ExecutionApiClient({ baseUrl: plain.baseUrl, token: "t", retry: fastRetry });
      const error = await other.setTaskState("t", "k", 1, { expiresAt: "default" }).catch((e) => e);
      expect(isStateStoreError(error, "NOT_SUPPORTED")).toBe(true);
      expect(error.message).toMatch(/default-expiry/);
      expect(plain.requests).toHaveLength(0);
    } finally {
      await plain.close();
    }
  });

  it("keeps specific server codes such as ASSET_NOT_FOUND", async () => {
    server.script.push({
      status: 404,
      body: { detail: { reason: "not_found", message: "no active asset", code: "ASSET_NOT_FOUND" } },
    });
    const error = await client.getAssetState({ name: "x" }, "k").catch((e) => e);
    expect(isStateStoreError(error, "ASSET_NOT_FOUND")).toBe(true);
  });

  it("falls back to the status's code when the body has none", async () => {
    server.script.push({ status: 413, body: "payload too large" });
    const error = await client.setTaskState("t", "k", 1, { expiresAt: null }).catch((e) => e);
    expect(isStateStoreError(error, "VALUE_TOO_LARGE")).toBe(true);
    server.script.push({ status: 401, body: { message: "Unauthorized" } });
    const auth = await client.getTaskState("t", "k").catch((e) => e);
    expect(isStateStoreError(auth, "UNAUTHORIZED")).toBe(true);
    expect(auth.message).toBe("Unauthorized");
  });

  it("puts the messages of a FastAPI 422 list in the error", async () => {
    server.script.push({
      status: 422,
      body: { detail: [{ loc: ["body", "value"], msg: "Field required", type: "missing" }] },
    });
    const error = await client.setTaskState("t", "k", 1, { expiresAt: null }).catch((e) => e);
    expect(isStateStoreError(error, "INVALID_VALUE")).toBe(true);
    expect(error.message).toBe("body.value: Field required");
  });

  it("treats a 404 without a Tidemark body as a wrong URL, not as a missing key", async () => {
    server.script.push({ status: 404, body: "<html>Not Found</html>" });
    const error = await client.getTaskState("t", "k").catch((e) => e);
    expect(isStateStoreError(error, "CONFIG_ERROR")).toBe(true);
    expect(error.message).toMatch(/workers\.execution_api_url/);
  });

  it('refuses the task state keys "." and ".." that URL parsing would remove', async () => {
    for (const key of [".", ".."]) {
      expect(isStateStoreError(await client.getTaskState("t", key).catch((e) => e), "INVALID_KEY")).toBe(
        true,
      );
    }
    await client.setTaskState("t", "...", 1, { expiresAt: null });
    expect(server.requests.map((r) => r.url)).toEqual(["/execution/store/ti/t/..."]);
  });

  it("retries 5xx answers of idempotent calls and succeeds", async () => {
    server.script.push(
      { status: 503 },
      { status: 502 },
      { status: 200, body: { value: "ok" }, headers: { etag: '"4"' } },
    );
    expect(await client.getTaskState("t", "k")).toEqual({ value: "ok", version: 4 });
    expect(server.requests).toHaveLength(3);
  });

  it("gives up after the configured attempts with the server's code, else BACKEND_UNAVAILABLE", async () => {
    server.script.push({ status: 500 }, { status: 500 }, { status: 500 });
    const error = await client.deleteTaskState("t", "k").catch((e) => e);
    expect(isStateStoreError(error, "BACKEND_UNAVAILABLE")).toBe(true);
    expect(error.message).toMatch(/after 3 attempts/);
    expect(server.requests).toHaveLength(3);
  });

  it("does not retry 501 or conditional writes on 5xx", async () => {
    server.script.push({
      status: 501,
      body: { detail: { reason: "not_supported", message: "no", code: "NOT_SUPPORTED" } },
    });
    expect(isStateStoreError(await client.clearTaskState("t").catch((e) => e), "NOT_SUPPORTED")).toBe(true);
    server.script.push({ status: 503 });
    const error = await client.setTaskState("t", "k", 1, { expiresAt: null, ifAbsent: true }).catch((e) => e);
    expect(isStateStoreError(error, "BACKEND_UNAVAILABLE")).toBe(true);
    expect(server.requests).toHaveLength(2);
  });

  it("retries a connection refusal and then throws BACKEND_UNAVAILABLE with the cause", async () => {
    const { baseUrl } = server;
    await server.close();
    server = await startRecordingServer(); // a fresh one for afterEach
    const dead = new ExecutionApiClient({ baseUrl, token: "t", retry: fastRetry });
    const error = await dead.setTaskState("t", "k", 1, { expiresAt: null, ifVersion: 1 }).catch((e) => e);
    expect(isStateStoreError(error, "BACKEND_UNAVAILABLE")).toBe(true);
    expect(error.message).toMatch(/failed after 3 attempts.*ECONNREFUSED.*workers\.execution_api_url/);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it("asks a token function on every request", async () => {
    let n = 0;
    const rotating = new ExecutionApiClient({ baseUrl: server.baseUrl, token: () => `t${++n}` });
    await rotating.deleteTaskState("a", "k");
    await rotating.deleteTaskState("a", "k");
    expect(server.requests.map((r) => r.authorization)).toEqual(["Bearer t1", "Bearer t2"]);
  });

  it("refuses a base URL that is not http(s)", () => {
    expect(() => new ExecutionApiClient({ baseUrl: "ftp://x/execution", token: "t" })).toThrow(
      StateStoreError,
    );
    expect(() => new ExecutionApiClient({ baseUrl: "not a url", token: "t" })).toThrow(
      /workers\.execution_api_url/,
    );
  });
});
