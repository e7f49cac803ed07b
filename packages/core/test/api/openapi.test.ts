import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiHarness, startApiHarness } from "./support/api-harness.js";

interface Operation {
  security?: unknown[];
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { content: Record<string, { schema: { additionalProperties?: boolean } }> };
  responses: Record<string, unknown>;
}

describe("GET /execution/openapi.json", () => {
  let h: ApiHarness;
  let doc: {
    openapi: string;
    paths: Record<string, Record<string, Operation>>;
    components: Record<string, unknown>;
  };
  beforeAll(async () => {
    h = await startApiHarness();
    doc = (await h.call("GET", "/openapi.json")).body as unknown as typeof doc;
  });
  afterAll(() => h.close());

  it("documents every route of the Execution API", () => {
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(routes.sort()).toEqual(
      [
        "GET /execution/task-instances/{ti_id}",
        "PATCH /execution/task-instances/{ti_id}/state",
        "GET /execution/store/ti/{ti_id}/{key}",
        "PUT /execution/store/ti/{ti_id}/{key}",
        "DELETE /execution/store/ti/{ti_id}/{key}",
        "DELETE /execution/store/ti/{ti_id}",
        "GET /execution/store/asset/by-name/value",
        "PUT /execution/store/asset/by-name/value",
        "DELETE /execution/store/asset/by-name/value",
        "DELETE /execution/store/asset/by-name/clear",
        "GET /execution/store/asset/by-uri/value",
        "PUT /execution/store/asset/by-uri/value",
        "DELETE /execution/store/asset/by-uri/value",
        "DELETE /execution/store/asset/by-uri/clear",
        "GET /execution/tidemark/extensions",
        "GET /execution/health",
      ].sort(),
    );
    expect(doc.openapi).toMatch(/^3\./);
  });

  it("requires a bearer token (except the discovery and health routes), closes every request body and lists the error answers", () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (path === "/execution/tidemark/extensions" || path === "/execution/health") continue;
      for (const [method, op] of Object.entries(ops)) {
        expect(op.security, `${method} ${path}`).toEqual([{ bearerAuth: [] }]);
        const body = op.requestBody?.content["application/json"]?.schema;
        if (body !== undefined) expect(body.additionalProperties, `${method} ${path}`).toBe(false);
        expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(["401", "403", "404", "422"]));
        if (method === "put")
          expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(["400", "412", "413", "501"]));
        if (method === "put" || (method === "delete" && path.endsWith("value")))
          expect(op.parameters?.map((p) => p.name)).toEqual(
            expect.arrayContaining(["if-match", "if-none-match"]),
          );
      }
    }
    const keyParam = doc.paths["/execution/store/ti/{ti_id}/{key}"]?.get?.parameters?.find(
      (p) => p.name === "key",
    );
    expect(keyParam).toMatchObject({ in: "path", required: true });
    expect(JSON.stringify(doc.components)).toContain("bearerAuth");
  });

  it("documents the ETag, version and extension headers and the discovery route", () => {
    const get = doc.paths["/execution/store/ti/{ti_id}/{key}"]?.get?.responses["200"] as {
      headers?: Record<string, unknown>;
    };
    expect(Object.keys(get.headers ?? {})).toEqual(
      expect.arrayContaining(["ETag", "Airflow-API-Version", "Tidemark-Extensions"]),
    );
    const put = doc.paths["/execution/store/asset/by-name/value"]?.put?.responses["204"] as {
      headers?: Record<string, unknown>;
    };
    expect(Object.keys(put.headers ?? {})).toContain("ETag");
    const discovery = doc.paths["/execution/tidemark/extensions"]?.get;
    expect(discovery?.security).toBeUndefined();
    expect(Object.keys(discovery?.responses ?? {})).toEqual(["200"]);
    const health = doc.paths["/execution/health"]?.get;
    expect(health?.security).toBeUndefined();
    expect(Object.keys(health?.responses ?? {})).toEqual(["200"]);
  });
});
