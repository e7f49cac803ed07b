import { assetScope, type TaskScope } from "@tidemark/state";
import { runStoreBackendConformance } from "@tidemark/testkit";
import { describe, it } from "vitest";
import type { ExecutionApiClient } from "../src/index.js";
import { ExecutionApiStoreBackend, type TaskRoute } from "./support/execution-api-store-backend.js";
import {
  postgresUnavailable,
  type ServerDatabase,
  startTidemarkServer,
  type TidemarkServer,
} from "./support/tidemark-server.js";

const taskKey = (s: TaskScope) => JSON.stringify([s.dagId, s.runId, s.taskId, s.regionId, s.mapIndex]);

/** The conformance harness over a fresh api-server per test. */
function harness(kind: ServerDatabase) {
  const servers = new WeakMap<ExecutionApiStoreBackend, TidemarkServer>();
  const routes = new WeakMap<ExecutionApiStoreBackend, Map<string, TaskRoute>>();
  const assetClients = new WeakMap<ExecutionApiStoreBackend, Map<string, ExecutionApiClient>>();
  return {
    async create() {
      const server = await startTidemarkServer({ database: kind });
      const byTask = new Map<string, TaskRoute>();
      const byAsset = new Map<string, ExecutionApiClient>();
      const backend = new ExecutionApiStoreBackend({
        taskRoute(scope) {
          const route = byTask.get(taskKey(scope));
          if (route === undefined) throw new Error(`task scope ${taskKey(scope)} was not prepared`);
          return route;
        },
        taskRoutesOfTask(scope) {
          const prefix = taskKey(scope).replace(/,-?\d+\]$/, ",");
          return [...byTask.entries()].filter(([k]) => k.startsWith(prefix)).map(([, r]) => r);
        },
        assetClient(scope) {
          const client = byAsset.get(scope.name ?? scope.uri ?? "");
          if (client === undefined) throw new Error("asset scope was not prepared");
          return client;
        },
        cleanup: (options) => server.metastore.cleanup(options),
      });
      servers.set(backend, server);
      routes.set(backend, byTask);
      assetClients.set(backend, byAsset);
      return backend;
    },
    async dispose(backend: ExecutionApiStoreBackend) {
      await servers.get(backend)?.close();
    },
    async prepareTaskScope(backend: ExecutionApiStoreBackend, scope: TaskScope) {
      const server = servers.get(backend) as TidemarkServer;
      const ti = await server.taskInstance(scope);
      routes.get(backend)?.set(taskKey(scope), { tiId: ti.id, client: await server.client(ti.id) });
      return scope;
    },
    async prepareAssetScope(
      backend: ExecutionApiStoreBackend,
      asset: { name: string; uri: string },
      identity: "assetId" | "name" | "uri",
    ) {
      if (identity === "assetId") return null; // workers address assets by name or uri only
      const server = servers.get(backend) as TidemarkServer;
      const clients = assetClients.get(backend) as Map<string, ExecutionApiClient>;
      if (!clients.has(asset.name)) {
        await server.asset(asset.name, asset.uri);
        const reader = await server.taskInstance({
          dagId: "asset_readers",
          taskId: `read_${asset.name}`,
          runId: "r",
          inlets: [asset.name],
        });
        const client = await server.client(reader.id);
        clients.set(asset.name, client);
        clients.set(asset.uri, client);
      }
      return identity === "name" ? assetScope({ name: asset.name }) : assetScope({ uri: asset.uri });
    },
  };
}

runStoreBackendConformance("ExecutionApiStoreBackend over HTTP (SQLite)", harness("sqlite"));

const postgresSkip = await postgresUnavailable();
if (postgresSkip === null) {
  runStoreBackendConformance("ExecutionApiStoreBackend over HTTP (Postgres)", harness("postgres"));
} else {
  describe("state store backend conformance: ExecutionApiStoreBackend over HTTP (Postgres)", () => {
    it(`skipped: ${postgresSkip}`, (ctx) => ctx.skip(postgresSkip));
  });
}
