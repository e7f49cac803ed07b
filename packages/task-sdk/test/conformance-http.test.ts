import {
  type AssetScope,
  assetScope,
  BaseStoreBackend,
  type CleanupOptions,
  type CleanupReport,
  type ClearOptions,
  type DeleteOptions,
  type SetOptions,
  type StoreBackendCapabilities,
  type StoreEntry,
  type StoreScope,
  type TaskScope,
} from "@tidemark/state";
import { storeBackendSuite } from "@tidemark/testkit";
import { describe, it } from "vitest";
import { ExecutionApiStoreBackend } from "../src/index.js";
import {
  mysqlUnavailable,
  postgresUnavailable,
  type ServerDatabase,
  startTidemarkServer,
  type TidemarkServer,
} from "./support/tidemark-server.js";

const taskKey = (s: TaskScope) => JSON.stringify([s.dagId, s.runId, s.taskId, s.regionId, s.mapIndex]);
const taskOfKey = (s: TaskScope) => JSON.stringify([s.dagId, s.runId, s.taskId, s.regionId]);
const assetKey = (s: AssetScope) => JSON.stringify([s.name ?? null, s.uri ?? null]);

/**
 * Many scopes over the Execution API: each prepared task instance or asset has its own
 * ExecutionApiStoreBackend (one target each, as workers use it). `allMapIndices` clears each prepared map
 * index through its own route, since the Execution API clears a task instance's own map index only;
 * cleanup runs on the server side, which the Execution API does not expose.
 */
class ExecutionApiRouter extends BaseStoreBackend {
  override readonly capabilities: StoreBackendCapabilities;
  readonly tasks = new Map<string, { scope: TaskScope; backend: ExecutionApiStoreBackend }>();
  readonly assets = new Map<string, ExecutionApiStoreBackend>();
  readonly #server: TidemarkServer;

  constructor(server: TidemarkServer, capabilities: StoreBackendCapabilities) {
    super();
    this.#server = server;
    this.capabilities = capabilities;
  }

  #route(scope: StoreScope): ExecutionApiStoreBackend {
    const route =
      scope.kind === "task" ? this.tasks.get(taskKey(scope))?.backend : this.assets.get(assetKey(scope));
    if (route === undefined) throw new Error(`scope ${JSON.stringify(scope)} was not prepared`);
    return route;
  }

  override get(scope: StoreScope, key: string): Promise<string | null> {
    return this.#route(scope).get(scope, key);
  }
  override getEntry(scope: StoreScope, key: string): Promise<StoreEntry | null> {
    return this.#route(scope).getEntry(scope, key);
  }
  override set(scope: StoreScope, key: string, value: string, options?: SetOptions): Promise<void> {
    return this.#route(scope).set(scope, key, value, options);
  }
  override delete(scope: StoreScope, key: string, options?: DeleteOptions): Promise<void> {
    return this.#route(scope).delete(scope, key, options);
  }
  override async clear(scope: StoreScope, options: ClearOptions = {}): Promise<void> {
    if (scope.kind === "asset" || !options.allMapIndices) return this.#route(scope).clear(scope);
    for (const route of this.tasks.values()) {
      if (taskOfKey(route.scope) === taskOfKey(scope)) await route.backend.clear(route.scope);
    }
  }
  override cleanup(options?: CleanupOptions): Promise<CleanupReport> {
    return this.#server.metastore.cleanup(options);
  }
}

/** A fresh api-server per test; scopes become task instances and assets on it as the suite asks. */
function fixture(kind: ServerDatabase) {
  return async () => {
    const server = await startTidemarkServer({ database: kind });
    const probe = new ExecutionApiStoreBackend({
      client: await server.client("unused"),
      target: { kind: "task", taskInstanceId: "unused" },
    });
    const backend = new ExecutionApiRouter(server, probe.capabilities);
    const registered = new Set<string>();
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await server.close();
    };
    return {
      backend,
      dispose: close,
      async prepareTaskScope(scope: TaskScope) {
        const ti = await server.taskInstance(scope);
        const client = await server.client(ti.id);
        const route = new ExecutionApiStoreBackend({
          client,
          target: { kind: "task", taskInstanceId: ti.id },
        });
        backend.tasks.set(taskKey(scope), { scope, backend: route });
        return scope;
      },
      async prepareAssetScope(asset: { name: string; uri: string }, identity: "assetId" | "name" | "uri") {
        const scope = identity === "uri" ? assetScope({ uri: asset.uri }) : assetScope({ name: asset.name });
        if (!backend.assets.has(assetKey(scope))) {
          if (!registered.has(asset.name)) await server.asset(asset.name, asset.uri);
          registered.add(asset.name);
          const reader = await server.taskInstance({
            dagId: "asset_readers",
            taskId: `read_${asset.name}`,
            runId: "r",
            inlets: [asset.name],
          });
          const client = await server.client(reader.id);
          const address = identity === "uri" ? { uri: asset.uri } : { name: asset.name };
          backend.assets.set(
            assetKey(scope),
            new ExecutionApiStoreBackend({ client, target: { kind: "asset", asset: address } }),
          );
        }
        return scope;
      },
      breakConnection: close,
    };
  };
}

const skip = {
  "entry-metadata": "the Execution API's GET answers carry neither the update time nor expires_at",
};
const skipAssetIdentities = { assetId: "workers address assets by name or uri, never by id" };

storeBackendSuite({
  name: "ExecutionApiStoreBackend over HTTP (SQLite)",
  create: fixture("sqlite"),
  skip,
  skipAssetIdentities,
});

const postgresSkip = await postgresUnavailable();
describe.skipIf(postgresSkip !== null)(
  postgresSkip === null ? "on Postgres" : `on Postgres (skipped: ${postgresSkip})`,
  () => {
    if (postgresSkip === null) {
      storeBackendSuite({
        name: "ExecutionApiStoreBackend over HTTP (Postgres)",
        create: fixture("postgres"),
        skip,
        skipAssetIdentities,
      });
    } else {
      it(`runs the suite on Postgres (skipped: ${postgresSkip})`, () => {});
    }
  },
);

const mysqlSkip = await mysqlUnavailable();
describe.skipIf(mysqlSkip !== null)(
  mysqlSkip === null ? "on MySQL" : `on MySQL (skipped: ${mysqlSkip})`,
  () => {
    if (mysqlSkip === null) {
      storeBackendSuite({
        name: "ExecutionApiStoreBackend over HTTP (MySQL)",
        create: fixture("mysql"),
        skip,
        skipAssetIdentities,
      });
    } else {
      it(`runs the suite on MySQL (skipped: ${mysqlSkip})`, () => {});
    }
  },
);
