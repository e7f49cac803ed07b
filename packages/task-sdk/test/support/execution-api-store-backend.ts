import {
  type AssetScope,
  BaseStoreBackend,
  type CleanupOptions,
  type CleanupReport,
  type ClearOptions,
  type DeleteOptions,
  type SetOptions,
  StateStoreError,
  type StoreBackendCapabilities,
  type StoreEntry,
  type StoreScope,
  type TaskScope,
} from "@tidemark/state";
import { type ExecutionApiClient, ExecutionApiStoreBackend as ScopeBackend } from "../../src/index.js";

/** How the adapter reaches a task scope: the task instance id and a client holding its token. */
export interface TaskRoute {
  readonly tiId: string;
  readonly client: ExecutionApiClient;
}

/** What {@link ExecutionApiStoreBackend} needs from the test harness. */
export interface ExecutionApiStoreBackendOptions {
  /** The task instance (created beforehand through the metadata API) of a task scope. */
  taskRoute(scope: TaskScope): TaskRoute;
  /** Every task route prepared for the same dag run and task (all map indices), for `allMapIndices`. */
  taskRoutesOfTask(scope: TaskScope): TaskRoute[];
  /** A client whose token may touch the asset (a task instance declaring it as an inlet). */
  assetClient(scope: AssetScope): ExecutionApiClient;
  /** Server-side garbage collection (the Execution API has no cleanup route). */
  cleanup(options: CleanupOptions): Promise<CleanupReport>;
}

function assetAddress(scope: AssetScope): { name: string } | { uri: string } {
  if (scope.name !== undefined) return { name: scope.name };
  if (scope.uri !== undefined) return { uri: scope.uri };
  throw new StateStoreError("INVALID_SCOPE", "workers address assets by name or uri, not by id");
}

/**
 * A BaseStoreBackend over the Execution API for many scopes, so the @tidemark/testkit conformance suite
 * runs through the HTTP path: client → Fastify routes → validation → the server backend. Each call goes
 * to the SDK's one-scope ExecutionApiStoreBackend of the task instance the harness created for a task
 * scope, or of a task instance declaring the asset as an inlet. `clear({allMapIndices})` clears each
 * prepared map index through its own route (the Execution API only clears a task instance's own map
 * index); `cleanup` is delegated to the server side.
 */
export class ExecutionApiStoreBackend extends BaseStoreBackend {
  override readonly capabilities: StoreBackendCapabilities = Object.freeze({
    expiry: true,
    compareAndSet: true,
    listKeys: false,
  });
  readonly #options: ExecutionApiStoreBackendOptions;

  constructor(options: ExecutionApiStoreBackendOptions) {
    super();
    this.#options = options;
  }

  override async get(scope: StoreScope, key: string): Promise<string | null> {
    return this.#of(scope).get(scope, key);
  }

  override async getEntry(scope: StoreScope, key: string): Promise<StoreEntry | null> {
    return this.#of(scope).getEntry(scope, key);
  }

  override async set(scope: StoreScope, key: string, value: string, options: SetOptions = {}): Promise<void> {
    await this.#of(scope).set(scope, key, value, options);
  }

  override async delete(scope: StoreScope, key: string, options: DeleteOptions = {}): Promise<void> {
    await this.#of(scope).delete(scope, key, options);
  }

  override async clear(scope: StoreScope, options: ClearOptions = {}): Promise<void> {
    if (scope.kind === "asset" || !options.allMapIndices) {
      await this.#of(scope).clear(scope);
      return;
    }
    for (const route of this.#options.taskRoutesOfTask(scope)) await this.#task(route).clear(scope);
  }

  override async cleanup(options: CleanupOptions = {}): Promise<CleanupReport> {
    return this.#options.cleanup(options);
  }

  #of(scope: StoreScope): ScopeBackend {
    if (scope.kind === "task") return this.#task(this.#options.taskRoute(scope));
    return new ScopeBackend({
      client: this.#options.assetClient(scope),
      target: { kind: "asset", asset: assetAddress(scope) },
    });
  }

  #task(route: TaskRoute): ScopeBackend {
    return new ScopeBackend({
      client: route.client,
      target: { kind: "task", taskInstanceId: route.tiId },
    });
  }
}
