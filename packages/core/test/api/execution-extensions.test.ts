import { InMemoryStoreBackend } from "@tidemark/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TaskInstanceRecord } from "../../src/index.js";
import { type ApiHarness, errorOf, startApiHarness } from "./support/api-harness.js";

const ALL = "conditional-requests, default-expiry, declared-assets, task-instance-info";

describe("Tidemark's Execution API extensions, through headers", () => {
  let h: ApiHarness;
  let ti: TaskInstanceRecord;
  let token: string;
  beforeAll(async () => {
    h = await startApiHarness();
    ti = await h.taskInstance();
    token = await h.token(ti.id);
  });
  afterAll(() => h.close());

  it("advertises the extensions on every answer: success, error, unauthenticated, unknown route, OpenAPI", async () => {
    await h.call("PUT", `/store/ti/${ti.id}/k`, { token, body: { value: 1 } });
    for (const answer of [
      await h.call("GET", `/store/ti/${ti.id}/k`, { token }),
      await h.call("GET", `/store/ti/${ti.id}/missing`, { token }),
      await h.call("GET", `/store/ti/${ti.id}/k`, { token: null }),
      await h.call("GET", "/no/such/route", { token }),
      await h.call("GET", "/openapi.json", { token: null }),
    ]) {
      expect(answer.headers.get("tidemark-extensions")).toBe(ALL);
    }
  });

  it("lists them at GET /tidemark/extensions without a token", async () => {
    const answer = await h.call("GET", "/tidemark/extensions", { token: null });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      extensions: ["conditional-requests", "default-expiry", "declared-assets", "task-instance-info"],
    });
    expect(answer.headers.get("airflow-api-version")).toBe("2026-11-13");
  });

  it("carries the error code in Tidemark-Error-Code on every error answer", async () => {
    const cases = [
      [await h.call("GET", `/store/ti/${ti.id}/missing`, { token }), "NOT_FOUND"],
      [await h.call("GET", `/store/ti/${ti.id}/k`, { token: null }), "UNAUTHORIZED"],
      [await h.call("PUT", `/store/ti/${ti.id}/k`, { token, body: { value: null } }), "INVALID_VALUE"],
      [await h.call("GET", "/no/such/route", { token }), "ROUTE_NOT_FOUND"],
    ] as const;
    for (const [answer, code] of cases) {
      expect(answer.headers.get("tidemark-error-code")).toBe(code);
      expect(answer.body?.detail?.code).toBe(code);
    }
  });

  it("refuses unknown query parameters and fields with 422 naming them", async () => {
    const cases: [string, string, string, unknown][] = [
      ["GET", `/store/ti/${ti.id}/k?version=1`, '"version"', undefined],
      ["PUT", `/store/ti/${ti.id}/k?ttl=5`, '"ttl"', { value: 1 }],
      ["DELETE", `/store/ti/${ti.id}/k?force=1`, '"force"', undefined],
      ["GET", `/task-instances/${ti.id}?expand=1`, '"expand"', undefined],
      ["PUT", `/store/ti/${ti.id}/k`, '"if_version"', { value: 1, if_version: 1 }],
    ];
    for (const [method, path, field, body] of cases) {
      expect(errorOf(await h.call(method, path, { token, body }), 422, "INVALID_VALUE")).toContain(field);
    }
    expect((await h.call("GET", `/store/ti/${ti.id}/k`, { token })).body).toEqual({ value: 1 });
  });

  it("answers 422 naming ti_id for a task instance id that is not a UUID", async () => {
    const answer = await h.call("GET", "/store/ti/not-a-uuid/k", { token: await h.token("not-a-uuid") });
    expect(errorOf(answer, 422, "INVALID_VALUE")).toMatch(/ti_id/);
  });

  it("accepts Content-Type: application/json on bodiless GET and DELETE", async () => {
    const json = { "content-type": "application/json" };
    await h.call("PUT", `/store/ti/${ti.id}/bodiless`, { token, body: { value: "x" } });
    const got = await h.call("GET", `/store/ti/${ti.id}/bodiless`, { token, headers: json });
    expect(got.body).toEqual({ value: "x" });
    expect((await h.call("DELETE", `/store/ti/${ti.id}/bodiless`, { token, headers: json })).status).toBe(
      204,
    );
    expect((await h.call("DELETE", `/store/ti/${ti.id}`, { token, headers: json })).status).toBe(204);
    errorOf(
      await h.call("PUT", `/store/ti/${ti.id}/bodiless`, { token, headers: json }),
      422,
      "INVALID_VALUE",
    );
  });
});

describe("a server backend without compare-and-set", () => {
  let h: ApiHarness;
  let ti: TaskInstanceRecord;
  let token: string;
  beforeAll(async () => {
    const backend = new InMemoryStoreBackend();
    Object.defineProperty(backend, "capabilities", {
      value: { ...backend.capabilities, compareAndSet: false },
    });
    h = await startApiHarness({ backend });
    ti = await h.taskInstance();
    token = await h.token(ti.id);
  });
  afterAll(() => h.close());

  it("does not advertise conditional-requests and refuses conditional writes and deletes with 501", async () => {
    const discovery = await h.call("GET", "/tidemark/extensions", { token: null });
    expect(discovery.body).toEqual({
      extensions: ["default-expiry", "declared-assets", "task-instance-info"],
    });
    expect(discovery.headers.get("tidemark-extensions")).toBe(
      "default-expiry, declared-assets, task-instance-info",
    );
    const put = await h.call("PUT", `/store/ti/${ti.id}/k`, {
      token,
      body: { value: 1 },
      headers: { "if-none-match": "*" },
    });
    expect(errorOf(put, 501, "NOT_SUPPORTED")).toMatch(/compare-and-set \(.*If-Match \/ If-None-Match\)/);
    const del = await h.call("DELETE", `/store/ti/${ti.id}/k`, { token, headers: { "if-match": '"1"' } });
    errorOf(del, 501, "NOT_SUPPORTED");
    const plain = await h.call("PUT", `/store/ti/${ti.id}/k`, { token, body: { value: 2 } });
    expect(plain.status).toBe(204);
    expect(plain.headers.get("etag")).toBeNull();
    expect((await h.call("GET", `/store/ti/${ti.id}/k`, { token })).body).toEqual({ value: 2 });
  });
});
