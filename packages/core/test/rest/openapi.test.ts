import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RestHarness, startRestHarness } from "./support/rest-harness.js";

type OpenApi = {
  openapi: string;
  info: { title: string };
  paths: Record<string, Record<string, { responses?: Record<string, unknown>; security?: unknown[] }>>;
};

describe("OpenAPI documents", () => {
  let h: RestHarness;
  let rest: OpenApi;
  let execution: OpenApi;
  beforeAll(async () => {
    h = await startRestHarness();
    rest = (await (await fetch(`${h.origin}/api/v2/openapi.json`)).json()) as OpenApi;
    execution = (await (await fetch(`${h.origin}/execution/openapi.json`)).json()) as OpenApi;
  });
  afterAll(() => h.close());

  it("/api/v2/openapi.json documents every Core REST API route, with responses and security", () => {
    expect(rest.openapi).toBe("3.1.0");
    expect(rest.info.title).toBe("Tidemark Core REST API");
    const base = "/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/state-store";
    const expected: Record<string, string[]> = {
      "/api/v2/config/ui": ["get"],
      "/api/v2/dags": ["get"],
      "/api/v2/dags/{dag_id}/dagRuns": ["get"],
      "/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances": ["get"],
      [base]: ["delete", "get"],
      [`${base}/{*}`]: ["delete", "get", "patch", "put"],
      "/api/v2/assets": ["get"],
      "/api/v2/assets/by-name/{name}": ["get"],
      "/api/v2/assets/{asset_id}/state-store": ["delete", "get"],
      "/api/v2/assets/{asset_id}/state-store/{*}": ["delete", "get", "patch", "put"],
      "/api/v2/monitor/health": ["get"],
      "/api/v2/monitor/readiness": ["get"],
    };
    const publicPaths = ["/api/v2/config/ui", "/api/v2/monitor/health", "/api/v2/monitor/readiness"];
    expect(Object.keys(rest.paths).sort()).toEqual(Object.keys(expected).sort());
    for (const [path, methods] of Object.entries(expected)) {
      const operations = rest.paths[path] ?? {};
      expect(
        Object.keys(operations)
          .filter((m) => m !== "head")
          .sort(),
        path,
      ).toEqual(methods);
      for (const [method, operation] of Object.entries(operations)) {
        expect(Object.keys(operation.responses ?? {}).length, `${method} ${path}`).toBeGreaterThan(0);
        if (!publicPaths.includes(path))
          expect(operation.security, `${method} ${path}`).toEqual([{ bearerAuth: [] }]);
        else expect(operation.security, `${method} ${path}`).toBeUndefined();
      }
    }
    expect(Object.keys(rest.paths[`${base}/{*}`]?.put?.responses ?? {}).sort()).toEqual(
      ["200", "204", "400", "401", "404", "409", "412", "413", "422", "501"].sort(),
    );
  });

  it("keeps the Execution API's document separate", () => {
    expect(execution.info.title).not.toBe(rest.info.title);
    expect(Object.keys(execution.paths).length).toBeGreaterThan(0);
    expect(Object.keys(execution.paths).every((p) => p.startsWith("/execution/"))).toBe(true);
  });
});
