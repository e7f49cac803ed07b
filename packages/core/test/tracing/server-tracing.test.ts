import { randomBytes } from "node:crypto";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { type InMemoryTracing, parentIdOf, startInMemoryTracing } from "@tidemark/testkit/tracing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeTestDatabases, DATABASE_KINDS } from "../api/support/api-harness.js";
import {
  type DatabaseKind,
  type RestHarness,
  startRestHarness,
  taskStatePath,
} from "../rest/support/rest-harness.js";

let tracing: InMemoryTracing;
beforeAll(() => {
  tracing = startInMemoryTracing();
});
afterAll(async () => {
  await tracing.stop();
  await closeTestDatabases();
});

/** A fresh remote parent: a trace id, a span id and the `traceparent` header naming them (sampled). */
function remoteParent() {
  const traceId = randomBytes(16).toString("hex");
  const spanId = randomBytes(8).toString("hex");
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

const isServer = (span: ReadableSpan) => span.kind === SpanKind.SERVER;
const isStatement = (span: ReadableSpan) => span.attributes["db.system.name"] !== undefined;

describe.each<DatabaseKind>(DATABASE_KINDS)("api-server traces (%s)", (database) => {
  let h: RestHarness;
  let sequence = 0;

  beforeAll(async () => {
    h = await startRestHarness({ database });
  });
  afterAll(() => h.close());

  async function taskPath(key: string): Promise<string> {
    const runId = `run_${++sequence}`;
    await h.api.taskInstance({ dagId: "trace_dag", runId, taskId: "t" });
    return taskStatePath("trace_dag", runId, "t", key);
  }

  it("a REST write with an incoming traceparent continues that trace down to the statements", async () => {
    const parent = remoteParent();
    const path = await taskPath("cursor");
    const answer = await h.rest("PUT", path, {
      body: { value: { secret: "value-never-in-spans" } },
      headers: { traceparent: parent.traceparent, "user-agent": "trace-test/1" },
    });
    expect(answer.status).toBeLessThan(300);

    const server = await tracing.waitForSpan(parent.traceId, isServer);
    expect(parentIdOf(server)).toBe(parent.spanId);
    const route = server.attributes["http.route"];
    expect(route).toBe("/api/v2/dags/:dag_id/dagRuns/:run_id/taskInstances/:task_id/state-store/*");
    expect(server.name).toBe(`PUT ${route}`);
    expect(server.attributes).toMatchObject({
      "http.request.method": "PUT",
      "http.response.status_code": answer.status,
      "url.path": `/api/v2${path}`,
      "url.scheme": "http",
      "server.address": "127.0.0.1",
      "network.protocol.version": "1.1",
      "user_agent.original": "trace-test/1",
    });
    expect(server.attributes["server.port"]).toBe(Number(new URL(h.origin).port));
    expect(server.status.code).not.toBe(SpanStatusCode.ERROR);

    const spans = tracing.spansOf(parent.traceId);
    // The REST API's PUT answers the written entry: a state store `put`.
    const store = spans.find((span) => span.name === "state_store.put");
    if (store === undefined)
      throw new Error(`no state_store.put among ${spans.map((s) => s.name).join(", ")}`);
    expect(parentIdOf(store)).toBe(server.spanContext().spanId);
    expect(store.attributes).toMatchObject({
      "tidemark.state_store.operation": "put",
      "tidemark.state_store.scope": "task",
      "tidemark.state_store.backend": "MetastoreBackend",
      "tidemark.state_store.conditional": false,
    });

    const statements = spans.filter(isStatement);
    const underStore = statements.filter((span) => parentIdOf(span) === store.spanContext().spanId);
    expect(underStore.map((span) => span.name)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^(INSERT|UPDATE) task_state_store$/)]),
    );
    const system = { postgres: "postgresql", mysql: "mysql", sqlite: "sqlite" }[database];
    for (const statement of statements) {
      expect(statement.kind).toBe(SpanKind.CLIENT);
      expect(statement.attributes["db.system.name"]).toBe(system);
      expect(statement.name.startsWith(String(statement.attributes["db.operation.name"]))).toBe(true);
      expect(statement.attributes["db.query.text"]).toBeTypeOf("string");
    }
    if (h.api.database.url.startsWith("postgres")) {
      const url = new URL(h.api.database.url);
      expect(underStore[0]?.attributes).toMatchObject({
        "server.address": url.hostname,
        "server.port": Number(url.port || 5432),
        "db.namespace": `${url.pathname.slice(1)}|${h.api.database.schema}`,
      });
    } else if (database === "mysql") {
      const url = new URL(h.api.database.url);
      expect(underStore[0]?.attributes).toMatchObject({
        "server.address": url.hostname,
        "server.port": Number(url.port || 3306),
        "db.namespace": url.pathname.slice(1),
      });
    } else if (database === "sqlite") {
      expect(String(underStore[0]?.attributes["db.namespace"])).toMatch(/tidemark\.db$/);
    }
    for (const span of spans) expect(JSON.stringify(span.attributes)).not.toContain("value-never-in-spans");
  });

  it("a request without a traceparent starts a trace of its own", async () => {
    const path = await taskPath("fresh");
    const before = new Set(tracing.exporter.getFinishedSpans().map((s) => s.spanContext().traceId));
    const answer = await h.rest("GET", path, { headers: { "user-agent": `fresh-trace-${database}` } });
    expect(answer.status).toBe(404);
    const server = await tracing.waitForAnySpan(
      (span) => isServer(span) && span.attributes["user_agent.original"] === `fresh-trace-${database}`,
    );
    expect(before.has(server.spanContext().traceId)).toBe(false);
    expect(parentIdOf(server)).toBeUndefined();
    expect(server.attributes["http.response.status_code"]).toBe(404);
    expect(server.status.code).not.toBe(SpanStatusCode.ERROR);
    const get = tracing.spansOf(server.spanContext().traceId).find((span) => span.name === "state_store.get");
    expect(get === undefined ? undefined : parentIdOf(get)).toBe(server.spanContext().spanId);
  });

  it("an unknown path is named by its method alone, without http.route", async () => {
    const parent = remoteParent();
    const response = await fetch(`${h.origin}/no/such/route`, {
      headers: { traceparent: parent.traceparent },
    });
    expect(response.status).toBe(404);
    await response.body?.cancel();
    const server = await tracing.waitForSpan(parent.traceId, isServer);
    expect(server.name).toBe("GET");
    expect(server.attributes["http.route"]).toBeUndefined();
    expect(server.attributes["url.path"]).toBe("/no/such/route");
  });
});

describe.each<DatabaseKind>(DATABASE_KINDS)("api-server traces of a failing statement (%s)", (database) => {
  let h: RestHarness;
  beforeAll(async () => {
    h = await startRestHarness({ database });
  });
  afterAll(() => h.close());

  it("marks the statement, the state store operation and the 5xx request as errors", async () => {
    await h.api.taskInstance({ dagId: "broken_dag", runId: "r", taskId: "t" });
    await sql`drop table task_state_store`.execute(h.api.database.db);
    const parent = remoteParent();
    const answer = await h.rest("PUT", taskStatePath("broken_dag", "r", "t", "k"), {
      body: { value: 1 },
      headers: { traceparent: parent.traceparent },
    });
    expect(answer.status).toBeGreaterThanOrEqual(500);

    const server = await tracing.waitForSpan(parent.traceId, isServer);
    expect(server.status.code).toBe(SpanStatusCode.ERROR);
    expect(server.attributes["http.response.status_code"]).toBe(answer.status);
    expect(server.attributes["error.type"]).toBeTypeOf("string");

    const spans = tracing.spansOf(parent.traceId);
    const store = spans.find((span) => span.name === "state_store.put");
    expect(store?.status.code).toBe(SpanStatusCode.ERROR);
    expect(store?.attributes["error.type"]).toBe(answer.body?.detail?.code ?? "BACKEND_UNAVAILABLE");
    expect(store?.events.some((event) => event.name === "exception")).toBe(true);

    const failed = spans.filter(isStatement).filter((span) => span.status.code === SpanStatusCode.ERROR);
    expect(failed.length).toBeGreaterThan(0);
    const errorType = String(failed[0]?.attributes["error.type"]);
    expect(errorType).toMatch({ sqlite: /^SQLITE_/, postgres: /^(42P01|error)$/i, mysql: /^ER_/ }[database]);
    expect(failed[0]?.events.some((event) => event.name === "exception")).toBe(true);
  });
});
