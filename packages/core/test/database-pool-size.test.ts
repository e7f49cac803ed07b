import { loadConfig } from "@tidemark/config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiServer } from "../src/api/create-api-server.js";
import { connectTestMysql } from "./support/mysql.js";
import { connectTestPostgres, type TestPostgres } from "./support/postgres.js";
import { parsePrometheusText, sampleSum } from "./support/prometheus-text.js";

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await connectTestPostgres();
}, 60_000);
afterAll(() => postgres.close());

describe("database.pool_size", () => {
  it("sizes the api-server's Postgres pool, as its pool gauge shows", async (context) => {
    if (postgres.kind !== "postgres") {
      context.skip(`a real Postgres is needed to open a pool (${postgres.fallbackReason})`);
    }
    const schema = await postgres.freshSchema();
    const config = loadConfig({
      env: { TIDEMARK__DATABASE__URL: schema.url ?? "", TIDEMARK__DATABASE__POOL_SIZE: "3" },
      overrides: { api: { secret_key: "pool-size-test-key-0123456789abcdef", auth: "none" } },
    });
    const server = await createApiServer({ config, logger: false });
    try {
      const origin = await server.listen({ host: "127.0.0.1", port: 0 });
      const response = await fetch(`${origin}/metrics`);
      expect(response.status).toBe(200);
      const samples = parsePrometheusText(await response.text());
      expect(sampleSum(samples, "tidemark_db_pool_max_connections")).toBe(3);
    } finally {
      await server.close();
      await schema.dispose();
    }
  });

  it("sizes the api-server's MySQL pool too, and its gauges count the connections it opened", async (context) => {
    const mysql = await connectTestMysql();
    try {
      if (mysql.skipReason !== null) context.skip(mysql.skipReason);
      const fresh = await mysql.freshDatabase();
      const config = loadConfig({
        env: { TIDEMARK__DATABASE__URL: fresh.url, TIDEMARK__DATABASE__POOL_SIZE: "3" },
        overrides: { api: { secret_key: "pool-size-test-key-0123456789abcdef", auth: "none" } },
      });
      const server = await createApiServer({ config, logger: false });
      try {
        const origin = await server.listen({ host: "127.0.0.1", port: 0 });
        expect((await fetch(`${origin}/api/v2/monitor/readiness`)).status).toBe(200);
        const samples = parsePrometheusText(await (await fetch(`${origin}/metrics`)).text());
        expect(sampleSum(samples, "tidemark_db_pool_max_connections")).toBe(3);
        const open = sampleSum(samples, "tidemark_db_pool_connections");
        expect(open).toBeGreaterThanOrEqual(1);
        expect(open).toBeLessThanOrEqual(3);
        expect(sampleSum(samples, "tidemark_db_pool_waiting_clients")).toBe(0);
      } finally {
        await server.close();
        await fresh.dispose();
      }
    } finally {
      await mysql.close();
    }
  });

  it("refuses a pool of fewer than 2 connections, naming the option", () => {
    expect(() => loadConfig({ env: { TIDEMARK__DATABASE__POOL_SIZE: "1" } })).toThrow(/database\.pool_size/);
  });
});
