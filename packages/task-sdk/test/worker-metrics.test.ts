import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as pause } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { loadConfig, type RawConfig, type TidemarkConfig } from "@tidemark/config";
import {
  type ApiServer,
  createApiServer,
  createDatabase,
  createTaskInstance,
  issueTaskToken,
  migrate,
  type TidemarkDatabase,
  withDatabaseSchema,
} from "@tidemark/core";
import { TEST_POSTGRES_URL, testSchemaName } from "@tidemark/testkit/postgres";
import { afterEach, describe, expect, it } from "vitest";
import {
  defineTask,
  ExecutionApiClient,
  type ExecutionApiRequestMetric,
  type ExecutionApiRetryMetric,
  runTask,
  silentTaskLogger,
  type WorkerMetricsHook,
  type WorkerValueWrittenMetric,
} from "../src/index.js";
import { type ServerDatabase, serverDatabases } from "./support/tidemark-server.js";

const BACKEND = "@tidemark/provider-common-io#StateStoreObjectStorageBackend";

/** A metastore both servers of a test share, on a fresh SQLite file or a fresh Postgres schema. */
async function openMetastore(kind: ServerDatabase, cwd: string) {
  const schema = kind === "postgres" ? testSchemaName("tidemark_sdk_metrics_") : undefined;
  const url =
    schema === undefined
      ? `sqlite://${join(cwd, "tidemark.db")}`
      : withDatabaseSchema(TEST_POSTGRES_URL, schema);
  const database = createDatabase(url);
  await migrate(database);
  return {
    url,
    database,
    async dispose() {
      if (schema !== undefined) await database.db.schema.dropSchema(schema).ifExists().cascade().execute();
      await database.close();
    },
  };
}

async function serve(
  database: TidemarkDatabase,
  url: string,
  cwd: string,
  api: RawConfig["api"],
  port = 0,
): Promise<{ server: ApiServer; origin: string }> {
  const config = loadConfig({ cwd, env: {}, overrides: { database: { url }, api } });
  const server = await createApiServer({ config, database, cwd, logger: false, migrate: false });
  return { server, origin: await server.listen({ host: "127.0.0.1", port }) };
}

/** Polls until the server sheds (under-pressure samples the heap once a second after start). */
async function untilShedding(origin: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const answer = await fetch(`${origin}/execution/tidemark/extensions`);
    await answer.body?.cancel();
    if (answer.status === 503) return;
    await pause(50);
  }
  throw new Error("the server with api.max_heap_used_bytes = 1 never started shedding");
}

function recordingHook() {
  const requests: ExecutionApiRequestMetric[] = [];
  const retries: ExecutionApiRetryMetric[] = [];
  const written: WorkerValueWrittenMetric[] = [];
  const hook: WorkerMetricsHook = {
    request: (m) => requests.push(m),
    retry: (m) => retries.push(m),
    valueWritten: (m) => written.push(m),
  };
  return { hook, requests, retries, written };
}

for (const kind of await serverDatabases("the worker metrics hook")) {
  describe(`the worker metrics hook against a real server that sheds load, then stops (${kind})`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    it("records every request, the retry the shed 503 caused (its Retry-After) and the offloaded bytes", async () => {
      const cwd = mkdtempSync(join(tmpdir(), "tidemark-sdk-metrics-"));
      const objects = mkdtempSync(join(tmpdir(), "tidemark-sdk-objects-"));
      cleanups.push(async () => {
        rmSync(cwd, { recursive: true, force: true });
        rmSync(objects, { recursive: true, force: true });
      });
      const metastore = await openMetastore(kind, cwd);
      cleanups.push(() => metastore.dispose());
      const shedding = await serve(metastore.database, metastore.url, cwd, {
        max_heap_used_bytes: 1,
        shed_retry_after_seconds: 7,
      });
      let current = shedding.server;
      cleanups.push(() => current.close());
      await untilShedding(shedding.origin);
      const port = Number(new URL(shedding.origin).port);

      const ti = await createTaskInstance(metastore.database, {
        dagId: "metrics_dag",
        runId: "run_1",
        taskId: "offload",
        mapIndex: -1,
        inlets: [],
        outlets: [],
      });
      const token = await issueTaskToken({ key: shedding.server.secretKey.key, taskInstanceId: ti.id });
      const { hook, requests, retries, written } = recordingHook();
      const slept: number[] = [];
      const client = new ExecutionApiClient({
        baseUrl: `${shedding.origin}/execution`,
        token,
        metrics: hook,
        retry: { attempts: 3, initialDelayMs: 5, maxDelayMs: 20 },
        // The wait the shed answer asks for is where load falls: the server restarts without limits.
        sleep: async (ms) => {
          slept.push(ms);
          if (current === shedding.server) {
            await shedding.server.close();
            current = (await serve(metastore.database, metastore.url, cwd, {}, port)).server;
          }
        },
      });
      const config: TidemarkConfig = loadConfig({
        cwd,
        env: {},
        overrides: {
          workers: { state_store_backend: BACKEND },
          common_io: {
            state_store_objectstorage_path: pathToFileURL(`${objects}/`).href,
            state_store_objectstorage_threshold: 100,
          },
        },
      });
      const big = { rows: Array.from({ length: 50 }, (_, i) => `row ${i}`) };
      const task = defineTask({
        async execute(ctx) {
          await ctx.taskStateStore.set("report", big);
          await ctx.taskStateStore.set("small", 1);
          expect(await ctx.taskStateStore.get("report")).toEqual(big);
        },
      });
      const result = await runTask({ client, taskInstanceId: ti.id, task, config, log: silentTaskLogger });
      expect(result.state).toBe("success");

      // The first call was shed, waited the server's Retry-After (7 s, not the 5-20 ms backoff), and retried.
      expect(retries).toEqual([
        {
          method: "GET",
          route: "/task-instances/{ti_id}",
          operation: "get_task_instance",
          reason: "server_error",
          status: 503,
          attempt: 1,
          delayMs: 7000,
          retryAfter: true,
        },
      ]);
      expect(slept).toEqual([7000]);
      expect(requests[0]).toMatchObject({ operation: "get_task_instance", status: 503, attempt: 1 });
      expect(requests[1]).toMatchObject({ operation: "get_task_instance", status: 200, attempt: 2 });
      const seen = requests.slice(1).map((r) => `${r.method} ${r.route} ${r.operation} ${r.status}`);
      expect(seen).toEqual(
        expect.arrayContaining([
          "PATCH /task-instances/{ti_id}/state set_task_instance_state 204",
          "PUT /store/ti/{ti_id}/{key} set_task_state 204",
          "GET /store/ti/{ti_id}/{key} get_task_state 200",
        ]),
      );
      for (const r of requests) {
        expect(r.route).not.toContain(ti.id);
        expect(r.durationMs).toBeGreaterThanOrEqual(0);
      }
      expect(written).toEqual([
        { scope: "task", bytes: Buffer.byteLength(JSON.stringify(big)), offloaded: true },
        { scope: "task", bytes: 1, offloaded: false },
      ]);
    });
  });
}

describe("the worker metrics hook without a worker backend", () => {
  it("reports inline values, and a hook that throws never fails the call", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "tidemark-sdk-metrics-"));
    const metastore = await openMetastore("sqlite", cwd);
    const { server, origin } = await serve(metastore.database, metastore.url, cwd, {});
    try {
      const ti = await createTaskInstance(metastore.database, {
        dagId: "metrics_dag",
        runId: "run_inline",
        taskId: "inline",
        mapIndex: -1,
        inlets: [],
        outlets: [],
      });
      const written: WorkerValueWrittenMetric[] = [];
      const client = new ExecutionApiClient({
        baseUrl: `${origin}/execution`,
        token: await issueTaskToken({ key: server.secretKey.key, taskInstanceId: ti.id }),
        metrics: {
          request: () => {
            throw new Error("a broken metrics binding");
          },
          valueWritten: (m) => written.push(m),
        },
      });
      const task = defineTask({
        async execute(ctx) {
          await ctx.taskStateStore.set("k", "héllo");
        },
      });
      const result = await runTask({
        client,
        taskInstanceId: ti.id,
        task,
        config: loadConfig({ cwd, env: {} }),
        workerBackend: null,
        log: silentTaskLogger,
      });
      expect(result.state).toBe("success");
      expect(written).toEqual([{ scope: "task", bytes: Buffer.byteLength('"héllo"'), offloaded: false }]);
    } finally {
      await server.close();
      await metastore.dispose();
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
