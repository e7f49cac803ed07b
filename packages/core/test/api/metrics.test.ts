import { taskScope } from "@tidemark/state";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueTaskToken } from "../../src/api/execution-tokens.js";
import { createTaskInstance, MetastoreBackend, type TaskInstanceRecord } from "../../src/index.js";
import {
  type RestHarness,
  startRestHarness,
  TEST_TOKEN,
  taskStatePath,
} from "../rest/support/rest-harness.js";
import {
  hasSample,
  type PrometheusSample,
  parsePrometheusText,
  sampleSum,
} from "../support/prometheus-text.js";
import { closeTestDatabases, DATABASE_KINDS, errorOf } from "./support/api-harness.js";

const METRICS_TOKEN = "metrics-scrape-token-4242";
const CLI_AGENT = "tidemark-cli/9.9.9";

afterAll(() => closeTestDatabases());

/** Scrapes `GET /metrics` with the scrape token and parses it. */
async function scrape(h: RestHarness, token: string | null = METRICS_TOKEN): Promise<PrometheusSample[]> {
  const response = await fetch(`${h.origin}/metrics`, {
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}: ${text}`);
  return parsePrometheusText(text);
}

describe.each(DATABASE_KINDS)("Prometheus metrics of the api-server on %s", (kind) => {
  let h: RestHarness;
  let ti: TaskInstanceRecord;
  let token: string;
  const key = (k: string) => `/store/ti/${ti.id}/${encodeURIComponent(k)}`;

  beforeAll(async () => {
    h = await startRestHarness({
      database: kind,
      config: {
        state_store: { max_value_storage_bytes: 1024 },
        api: { metrics_token: METRICS_TOKEN },
      },
    });
    ti = await h.api.taskInstance({ dagId: "metrics_dag", runId: "metrics_run", taskId: "t" });
    token = await h.api.token(ti.id);
  }, 60_000);
  afterAll(() => h.close());

  it("needs the scrape token: 401 without or with a wrong one, saying how to fix it; 200 with it", async () => {
    const without = await fetch(`${h.origin}/metrics`);
    expect(without.status).toBe(401);
    expect(without.headers.get("www-authenticate")).toMatch(/^Bearer /);
    expect(await without.text()).toContain("api.metrics_token");
    const wrong = await fetch(`${h.origin}/metrics`, { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain("api.metrics_token");
    // The Core REST API's token is not the scrape token.
    const rest = await fetch(`${h.origin}/metrics`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    expect(rest.status).toBe(401);
    const ok = await fetch(`${h.origin}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = parsePrometheusText(await ok.text());
    // prom-client's process metrics, unprefixed, in the server's own registry.
    expect(hasSample(samples, "process_cpu_user_seconds_total")).toBe(true);
    expect(hasSample(samples, "nodejs_eventloop_lag_seconds")).toBe(true);
    expect(hasSample(samples, "nodejs_heap_size_used_bytes")).toBe(true);
  });

  it("counts Execution API operations by outcome: ok, not_found, conflict (with the CAS counter), too_large", async () => {
    const exec = { api: "execution", scope: "task", backend: "MetastoreBackend" };
    const before = await scrape(h);
    const put = await h.api.call("PUT", key("k"), { token, body: { value: { n: 1 } } });
    expect(put.status).toBe(204);
    expect((await h.api.call("GET", key("k"), { token })).status).toBe(200);
    errorOf(await h.api.call("GET", key("absent"), { token }), 404, "NOT_FOUND");
    const lost = await h.api.call("PUT", key("k"), {
      token,
      body: { value: 2 },
      headers: { "if-match": '"7"' },
    });
    expect(lost.status).toBe(412);
    errorOf(
      await h.api.call("PUT", key("big"), { token, body: { value: "x".repeat(2000) } }),
      413,
      "VALUE_TOO_LARGE",
    );
    const after = await scrape(h);
    const delta = (labels: Record<string, string>) =>
      sampleSum(after, "tidemark_state_store_operations_total", labels) -
      sampleSum(before, "tidemark_state_store_operations_total", labels);
    expect(delta({ ...exec, operation: "set", outcome: "ok" })).toBe(1);
    expect(delta({ ...exec, operation: "get", outcome: "ok" })).toBe(1);
    expect(delta({ ...exec, operation: "get", outcome: "not_found" })).toBe(1);
    expect(delta({ ...exec, outcome: "conflict" })).toBe(1);
    expect(delta({ ...exec, operation: "set", outcome: "too_large" })).toBe(1);
    const conflicts = (s: PrometheusSample[]) =>
      sampleSum(s, "tidemark_state_store_cas_conflicts_total", { api: "execution", scope: "task" });
    expect(conflicts(after) - conflicts(before)).toBe(1);
    const durations = (s: PrometheusSample[]) =>
      sampleSum(s, "tidemark_state_store_operation_duration_seconds_count", { ...exec, operation: "set" });
    expect(durations(after) - durations(before)).toBe(3);
    // One value written: '{"n":1}' is 7 bytes, in the 64-byte bucket.
    const sizes = (s: PrometheusSample[], le: string) =>
      sampleSum(s, "tidemark_state_store_value_size_bytes_bucket", { api: "execution", scope: "task", le });
    expect(sizes(after, "64") - sizes(before, "64")).toBe(1);
    const routes = (s: PrometheusSample[], status: string) =>
      sampleSum(s, "tidemark_http_requests_total", {
        route: "/execution/store/ti/:ti_id/*",
        method: "PUT",
        status_code: status,
      });
    expect(routes(after, "204") - routes(before, "204")).toBe(1);
    expect(routes(after, "412") - routes(before, "412")).toBe(1);
    expect(routes(after, "413") - routes(before, "413")).toBe(1);
    expect(
      hasSample(after, "tidemark_http_request_duration_seconds_bucket", {
        route: "/execution/store/ti/:ti_id/*",
      }),
    ).toBe(true);
  });

  it("counts a reference envelope a worker sent as an offloaded value", async () => {
    const before = await scrape(h);
    const envelope = { __airflow_state_ref__: "file:///objects/metrics/k.json" };
    const put = await h.api.call("PUT", key("offloaded"), { token, body: { value: envelope } });
    expect(put.status).toBe(204);
    const after = await scrape(h);
    const labels = { api: "execution", scope: "task" };
    const values = (s: PrometheusSample[]) =>
      sampleSum(s, "tidemark_state_store_offloaded_values_total", labels);
    const bytes = (s: PrometheusSample[]) =>
      sampleSum(s, "tidemark_state_store_offloaded_bytes_total", labels);
    expect(values(after) - values(before)).toBe(1);
    expect(bytes(after) - bytes(before)).toBe(JSON.stringify(envelope).length);
  });

  it("labels Core REST API operations rest, and those of the tidemark CLI's User-Agent cli", async () => {
    const before = await scrape(h);
    const path = taskStatePath("metrics_dag", "metrics_run", "t", "rest_key");
    const query = { map_index: -1 };
    expect((await h.rest("PUT", path, { body: { value: 1 }, query })).status).toBeLessThan(300);
    expect((await h.rest("GET", path, { query })).status).toBe(200);
    const fromCli = await h.rest("PUT", path, {
      body: { value: 2 },
      query,
      headers: { "user-agent": CLI_AGENT },
    });
    expect(fromCli.status).toBeLessThan(300);
    expect((await h.rest("GET", path, { query, headers: { "user-agent": CLI_AGENT } })).status).toBe(200);
    const after = await scrape(h);
    const delta = (labels: Record<string, string>) =>
      sampleSum(after, "tidemark_state_store_operations_total", labels) -
      sampleSum(before, "tidemark_state_store_operations_total", labels);
    expect(delta({ api: "rest", operation: "put", outcome: "ok" })).toBe(1);
    expect(delta({ api: "rest", operation: "get", outcome: "ok" })).toBe(1);
    expect(delta({ api: "cli", operation: "put", outcome: "ok" })).toBe(1);
    expect(delta({ api: "cli", operation: "get", outcome: "ok" })).toBe(1);
    expect(delta({ api: "execution" })).toBe(0);
    const sizes = (s: PrometheusSample[], api: string) =>
      sampleSum(s, "tidemark_state_store_value_size_bytes_count", { api, scope: "task" });
    expect(sizes(after, "cli") - sizes(before, "cli")).toBe(1);
    expect(sizes(after, "rest") - sizes(before, "rest")).toBe(1);
  });

  it("counts token verifications of both APIs by result", async () => {
    const before = await scrape(h);
    const other = await h.api.taskInstance({ dagId: "metrics_dag", runId: "other_run", taskId: "t" });
    const expired = await h.api.token(ti.id, { ttlSeconds: 60, now: new Date(Date.now() - 3_600_000) });
    const foreignKey = await issueTaskToken({ key: new Uint8Array(32).fill(7), taskInstanceId: ti.id });
    errorOf(await h.api.call("GET", key("k"), { token: null }), 401, "UNAUTHORIZED");
    errorOf(await h.api.call("GET", key("k"), { token: expired }), 401, "UNAUTHORIZED");
    errorOf(await h.api.call("GET", key("k"), { token: foreignKey }), 401, "UNAUTHORIZED");
    errorOf(await h.api.call("GET", `/store/ti/${other.id}/k`, { token }), 403, "FORBIDDEN");
    expect((await h.api.call("GET", key("k"), { token })).status).toBe(200);
    const path = taskStatePath("metrics_dag", "metrics_run", "t");
    expect((await h.rest("GET", path, { token: null, query: { map_index: -1 } })).status).toBe(401);
    expect((await h.rest("GET", path, { token: "wrong", query: { map_index: -1 } })).status).toBe(401);
    expect((await h.rest("GET", path, { query: { map_index: -1 } })).status).toBe(200);
    const after = await scrape(h);
    const delta = (api: string, result: string) =>
      sampleSum(after, "tidemark_token_verifications_total", { api, result }) -
      sampleSum(before, "tidemark_token_verifications_total", { api, result });
    expect(delta("execution", "missing")).toBe(1);
    expect(delta("execution", "expired")).toBe(1);
    expect(delta("execution", "tampered")).toBe(1);
    expect(delta("execution", "forbidden")).toBe(1);
    expect(delta("execution", "ok")).toBe(1);
    expect(delta("rest", "missing")).toBe(1);
    expect(delta("rest", "tampered")).toBe(1);
    expect(delta("rest", "ok")).toBe(1);
  });

  it("records a cleanup sweep: outcome, rows per table, duration, longest batch, last success, lock", async () => {
    const backend = new MetastoreBackend({ database: h.api.database });
    await createTaskInstance(h.api.database, { dagId: "metrics_gc", runId: "r", taskId: "t" });
    const scope = taskScope({ dagId: "metrics_gc", runId: "r", taskId: "t" });
    await backend.set(scope, "expired", "1", { expiresAt: new Date(Date.now() - 1000) });
    const before = await scrape(h);
    const started = Date.now() / 1000;
    expect(await h.api.server.cleanupScheduler.runOnce()).toMatchObject({ status: "swept" });
    const after = await scrape(h);
    const delta = (name: string, labels: Record<string, string> = {}) =>
      sampleSum(after, name, labels) - sampleSum(before, name, labels);
    expect(delta("tidemark_cleanup_sweeps_total", { outcome: "swept" })).toBe(1);
    expect(delta("tidemark_cleanup_sweeps_total", { outcome: "failed" })).toBe(0);
    expect(delta("tidemark_cleanup_deleted_rows_total", { table: "task_state_store" })).toBe(1);
    expect(delta("tidemark_cleanup_duration_seconds_count")).toBe(1);
    expect(sampleSum(after, "tidemark_cleanup_longest_batch_seconds")).toBeGreaterThan(0);
    expect(sampleSum(after, "tidemark_cleanup_last_success_timestamp_seconds")).toBeGreaterThanOrEqual(
      Math.floor(started),
    );
    // The Postgres advisory lock and the MySQL named lock exclude other servers; SQLite's lock does not.
    const sharedLock = /^(postgres|mysql)/.test(h.api.config.database.url);
    expect(delta("tidemark_cleanup_lock_total", { outcome: sharedLock ? "acquired" : "not_used" })).toBe(1);
    expect(sampleSum(after, "tidemark_cleanup_interval_seconds")).toBe(
      h.api.config.state_store.cleanup_interval_seconds,
    );
  });

  it("counts failed metastore statements, and on Postgres and MySQL reports the pool", async () => {
    const before = await scrape(h);
    await expect(sql`select * from no_such_table_for_metrics`.execute(h.api.database.db)).rejects.toThrow();
    const after = await scrape(h);
    const errors = (s: PrometheusSample[]) =>
      sampleSum(s, "tidemark_db_query_errors_total", {
        dialect: h.api.database.dialect,
        operation: "SELECT",
      });
    expect(errors(after) - errors(before)).toBe(1);
    const pooled = /^(postgres|mysql)/.test(h.api.config.database.url);
    expect(hasSample(after, "tidemark_db_pool_max_connections")).toBe(pooled);
    if (pooled) {
      expect(sampleSum(after, "tidemark_db_pool_max_connections")).toBe(10);
      expect(sampleSum(after, "tidemark_db_pool_connections")).toBeGreaterThanOrEqual(1);
      expect(sampleSum(after, "tidemark_db_pool_idle_connections")).toBeLessThanOrEqual(
        sampleSum(after, "tidemark_db_pool_connections"),
      );
      expect(sampleSum(after, "tidemark_db_pool_waiting_clients")).toBe(0);
    }
  });

  it("labels unknown paths unmatched", async () => {
    const before = await scrape(h);
    expect((await fetch(`${h.origin}/no/such/path/${"x".repeat(40)}`)).status).toBe(404);
    const after = await scrape(h);
    const unmatched = (s: PrometheusSample[]) =>
      sampleSum(s, "tidemark_http_requests_total", { route: "unmatched", method: "GET", status_code: "404" });
    expect(unmatched(after) - unmatched(before)).toBe(1);
    expect(after.some((s) => s.labels.route?.includes("no/such"))).toBe(false);
  });

  it("keeps labels bounded: no dag, run, task or asset id, key or token reaches a label, however many", async () => {
    const seen: string[] = [];
    const writeBatch = async (batch: number) => {
      for (let i = 0; i < 15; i++) {
        const dagId = `dag_card_${batch}_${i}`;
        const runId = `run_card_${batch}_${i}`;
        const taskId = `task_card_${batch}_${i}`;
        const record = await h.api.taskInstance({ dagId, runId, taskId });
        const t = await h.api.token(record.id);
        const k = `key_card_${batch}_${i}`;
        seen.push(dagId, runId, taskId, k, t, record.id);
        expect(
          (await h.api.call("PUT", `/store/ti/${record.id}/${k}`, { token: t, body: { value: i } })).status,
        ).toBe(204);
        expect((await h.api.call("GET", `/store/ti/${record.id}/${k}`, { token: t })).status).toBe(200);
        const restPath = taskStatePath(dagId, runId, taskId, `${k}_rest`);
        const put = await h.rest("PUT", restPath, { body: { value: i }, query: { map_index: -1 } });
        expect(put.status).toBeLessThan(300);
      }
    };
    const seriesOf = (text: string) =>
      parsePrometheusText(text).filter((s) => s.name.startsWith("tidemark_")).length;
    const text = async () => {
      const response = await fetch(`${h.origin}/metrics`, {
        headers: { authorization: `Bearer ${METRICS_TOKEN}` },
      });
      return response.text();
    };
    await writeBatch(1);
    const first = await text();
    await writeBatch(2);
    const second = await text();
    expect(seriesOf(second)).toBe(seriesOf(first));
    for (const value of seen) expect(second.includes(value), value).toBe(false);
    expect(second.includes(TEST_TOKEN)).toBe(false);
    expect(second.includes(METRICS_TOKEN)).toBe(false);
  }, 120_000);
});

describe("GET /metrics without a scrape token, and switched off", () => {
  it("serves without a token when api.metrics_token is empty, and keeps two servers' registries apart", async () => {
    const a = await startRestHarness();
    const b = await startRestHarness();
    try {
      const ti = await a.api.taskInstance();
      const put = await a.api.call("PUT", `/store/ti/${ti.id}/k`, {
        token: await a.api.token(ti.id),
        body: { value: 1 },
      });
      expect(put.status).toBe(204);
      const sets = (samples: PrometheusSample[]) =>
        sampleSum(samples, "tidemark_state_store_operations_total", { api: "execution", operation: "set" });
      expect(sets(await scrape(a, null))).toBe(1);
      expect(sets(await scrape(b, null))).toBe(0);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("answers 404 with api.metrics = false", async () => {
    const h = await startRestHarness({ config: { api: { metrics: false } } });
    try {
      const answer = await fetch(`${h.origin}/metrics`);
      expect(answer.status).toBe(404);
      expect(await answer.text()).toContain("ROUTE_NOT_FOUND");
      const ti = await h.api.taskInstance();
      const put = await h.api.call("PUT", `/store/ti/${ti.id}/k`, {
        token: await h.api.token(ti.id),
        body: { value: 1 },
      });
      expect(put.status).toBe(204);
      expect((await fetch(`${h.origin}/metrics`)).status).toBe(404);
    } finally {
      await h.close();
    }
  });
});
