import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { loadConfig, type TidemarkConfig } from "@tidemark/config";
import { StateStoreObjectStorageBackend } from "@tidemark/provider-common-io";
import { type S3rverHandle, startS3rver } from "@tidemark/testkit/s3rver";
import { type InMemoryTracing, parentIdOf, startInMemoryTracing } from "@tidemark/testkit/tracing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineTask, runTask, silentTaskLogger, type TaskContext } from "../src/index.js";
import { serverDatabases, startTidemarkServer, type TidemarkServer } from "./support/tidemark-server.js";

const databases = await serverDatabases("task SDK traces");

let tracing: InMemoryTracing;
beforeAll(() => {
  tracing = startInMemoryTracing();
});
afterAll(() => tracing.stop());

/** The one span of `spans` matching `predicate`, failing with the spans' names when there is not one. */
function only(spans: ReadableSpan[], predicate: (span: ReadableSpan) => boolean, what: string): ReadableSpan {
  const found = spans.filter(predicate);
  if (found.length !== 1) {
    throw new Error(
      `expected one ${what}, found ${found.length} among ${spans.map((s) => s.name).join(", ")}`,
    );
  }
  return found[0] as ReadableSpan;
}

describe.each(databases)("task SDK traces against a real server (%s)", (database) => {
  let s: TidemarkServer;
  let objects: string;
  const workerConfig = (): TidemarkConfig =>
    loadConfig({
      cwd: s.cwd,
      env: {},
      overrides: {
        workers: { state_store_backend: "@tidemark/provider-common-io#StateStoreObjectStorageBackend" },
        common_io: {
          state_store_objectstorage_path: pathToFileURL(`${objects}/`).href,
          state_store_objectstorage_threshold: 0,
        },
      },
    });

  beforeAll(async () => {
    objects = mkdtempSync(join(tmpdir(), "tidemark-trace-objects-"));
    s = await startTidemarkServer({ database });
  });
  afterAll(async () => {
    await s.close();
    rmSync(objects, { recursive: true, force: true });
  });

  /** Runs `body` as a task, inside a span of the test's own; returns that span's trace id and span id. */
  async function inTaskSpan(
    taskId: string,
    body: (ctx: TaskContext) => Promise<void>,
    config?: TidemarkConfig,
  ): Promise<{ traceId: string; spanId: string }> {
    const ti = await s.taskInstance({ taskId });
    let ids: { traceId: string; spanId: string } | undefined;
    const task = defineTask({
      async execute(ctx) {
        await trace.getTracer("test").startActiveSpan("task", async (span: Span) => {
          ids = { traceId: span.spanContext().traceId, spanId: span.spanContext().spanId };
          try {
            await body(ctx);
          } finally {
            span.end();
          }
        });
      },
    });
    const result = await runTask({
      client: await s.client(ti.id),
      taskInstanceId: ti.id,
      task,
      config: config ?? loadConfig({ cwd: s.cwd, env: {}, overrides: {} }),
      log: silentTaskLogger,
    });
    expect(result.state).toBe("success");
    if (ids === undefined) throw new Error("the task did not run");
    return ids;
  }

  it("one task write is one trace: task → SDK client → server request → state store → statements", async () => {
    const { traceId, spanId } = await inTaskSpan("write", async (ctx) => {
      await ctx.taskStateStore.set("cursor", { secret: "value-never-in-spans" });
    });
    const server = await tracing.waitForSpan(traceId, (span) => span.kind === SpanKind.SERVER);
    const spans = tracing.spansOf(traceId);

    const client = only(
      spans,
      (span) => span.kind === SpanKind.CLIENT && span.name.startsWith("PUT "),
      "client span",
    );
    expect(client.name).toBe("PUT /store/ti/{ti_id}/{key}");
    expect(parentIdOf(client)).toBe(spanId);
    expect(client.attributes).toMatchObject({
      "http.request.method": "PUT",
      "url.template": "/store/ti/{ti_id}/{key}",
      "tidemark.execution_api.operation": "set_task_state",
      "server.address": "127.0.0.1",
      "http.response.status_code": 204,
    });
    expect(client.attributes["http.request.resend_count"]).toBeUndefined();

    expect(parentIdOf(server)).toBe(client.spanContext().spanId);
    expect(server.name).toBe(`PUT ${server.attributes["http.route"]}`);
    expect(server.attributes["http.route"]).toMatch(/^\/execution\/.*:/);
    expect(server.attributes).toMatchObject({
      "http.request.method": "PUT",
      "http.response.status_code": 204,
      "network.protocol.version": "1.1",
      "server.address": "127.0.0.1",
    });
    expect(server.attributes["url.path"]).toMatch(/\/cursor$/);
    expect(server.status.code).not.toBe(SpanStatusCode.ERROR);

    const store = only(spans, (span) => span.name === "state_store.set", "state store span");
    expect(parentIdOf(store)).toBe(server.spanContext().spanId);
    expect(store.kind).toBe(SpanKind.INTERNAL);
    expect(store.attributes).toMatchObject({
      "tidemark.state_store.operation": "set",
      "tidemark.state_store.scope": "task",
      "tidemark.state_store.backend": "MetastoreBackend",
      "tidemark.state_store.conditional": false,
    });

    const statements = spans.filter((span) => span.attributes["db.system.name"] !== undefined);
    const underStore = statements.filter((span) => parentIdOf(span) === store.spanContext().spanId);
    expect(underStore.length).toBeGreaterThan(0);
    for (const statement of statements) {
      expect(statement.kind).toBe(SpanKind.CLIENT);
      expect(statement.attributes["db.system.name"]).toBe(
        { sqlite: "sqlite", postgres: "postgresql", mysql: "mysql" }[database],
      );
      expect(statement.attributes["db.operation.name"]).toMatch(/^[A-Z]+$/);
      expect(String(statement.attributes["db.query.text"])).not.toContain("value-never-in-spans");
      if (database !== "sqlite") {
        expect(statement.attributes["server.address"]).toBeTypeOf("string");
        expect(statement.attributes["server.port"]).toBeTypeOf("number");
      }
    }
    for (const span of spans) {
      expect(JSON.stringify(span.attributes)).not.toContain("value-never-in-spans");
    }
  });

  it("an offloaded value's object store write is in the same trace, under the task", async () => {
    const { traceId, spanId } = await inTaskSpan(
      "offload",
      async (ctx) => {
        await ctx.taskStateStore.set("report", { rows: [1, 2, 3] });
      },
      workerConfig(),
    );
    await tracing.waitForSpan(traceId, (span) => span.kind === SpanKind.SERVER);
    const spans = tracing.spansOf(traceId);
    const put = only(spans, (span) => span.name === "object_store.put", "object store span");
    expect(put.kind).toBe(SpanKind.INTERNAL);
    expect(parentIdOf(put)).toBe(spanId);
    expect(put.attributes).toMatchObject({
      "tidemark.object_store.operation": "put",
      "tidemark.object_store.system": "file",
    });
    expect(put.attributes["tidemark.object_store.key"]).toMatch(/report/);
    expect(put.status.code).not.toBe(SpanStatusCode.ERROR);
  });

  it("a compare-and-set conflict marks the server's state store span failed with its code", async () => {
    const { traceId } = await inTaskSpan("conflict", async (ctx) => {
      await ctx.taskStateStore.set("k", 1);
      await expect(ctx.taskStateStore.set("k", 2, { ifAbsent: true })).rejects.toMatchObject({
        code: "CONFLICT",
      });
    });
    const failed = await tracing.waitForSpan(
      traceId,
      (span) =>
        span.name === "state_store.set" && span.attributes["tidemark.state_store.conditional"] === true,
    );
    expect(failed.status.code).toBe(SpanStatusCode.ERROR);
    expect(failed.attributes["error.type"]).toMatch(/^(CONFLICT|PRECONDITION_FAILED)$/);
    expect(failed.events.some((event) => event.name === "exception")).toBe(true);
    const server = await tracing.waitForSpan(
      traceId,
      (span) => span.kind === SpanKind.SERVER && span.spanContext().spanId === parentIdOf(failed),
    );
    expect(server.attributes["http.response.status_code"]).toBe(412);
    // A 4xx is an outcome the task handles, not a server fault.
    expect(server.status.code).not.toBe(SpanStatusCode.ERROR);
  });
});

describe("task SDK traces with an S3 worker backend (s3rver, SQLite server)", () => {
  let s: TidemarkServer;
  let s3: S3rverHandle;
  beforeAll(async () => {
    s3 = await startS3rver();
    s = await startTidemarkServer();
  });
  afterAll(async () => {
    await s.close();
    await s3.stop();
  });

  it("an offload to S3 is a CLIENT span naming the bucket and the endpoint, in the task's trace", async () => {
    const ti = await s.taskInstance({ taskId: "s3_offload" });
    const backend = new StateStoreObjectStorageBackend({
      path: `s3://store@${s3.bucket}/traces/`,
      env: s3.connectionEnv("store"),
      threshold: 0,
    });
    let ids: { traceId: string; spanId: string } | undefined;
    const task = defineTask({
      async execute(ctx) {
        await trace.getTracer("test").startActiveSpan("task", async (span: Span) => {
          ids = { traceId: span.spanContext().traceId, spanId: span.spanContext().spanId };
          try {
            await ctx.taskStateStore.set("report", { rows: [1, 2, 3] });
          } finally {
            span.end();
          }
        });
      },
    });
    try {
      const result = await runTask({
        client: await s.client(ti.id),
        taskInstanceId: ti.id,
        task,
        workerBackend: backend,
        config: loadConfig({ cwd: s.cwd, env: {}, overrides: {} }),
        log: silentTaskLogger,
      });
      expect(result.state).toBe("success");
    } finally {
      await backend.close();
    }
    if (ids === undefined) throw new Error("the task did not run");
    const { traceId, spanId } = ids;
    await tracing.waitForSpan(traceId, (span) => span.kind === SpanKind.SERVER);
    const put = only(
      tracing.spansOf(traceId),
      (span) => span.name === "object_store.put",
      "object store span",
    );
    expect(put.kind).toBe(SpanKind.CLIENT);
    expect(parentIdOf(put)).toBe(spanId);
    expect(put.attributes).toMatchObject({
      "tidemark.object_store.operation": "put",
      "tidemark.object_store.system": "s3",
      "aws.s3.bucket": s3.bucket,
      "server.address": "127.0.0.1",
      "server.port": s3.port,
    });
    expect(String(put.attributes["aws.s3.key"])).toMatch(/^traces\/.*report/);
    expect(JSON.stringify(put.attributes)).not.toContain("S3RVER");
  });
});
