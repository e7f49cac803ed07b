import {
  type AssetScope,
  BaseStoreBackend,
  type CleanupOptions,
  type CleanupReport,
  type ClearOptions,
  type DeleteOptions,
  isStateStoreError,
  type JsonValue,
  type SetOptions,
  StateStoreError,
  type StoreBackendCapabilities,
  type StoreEntry,
  type StoreScope,
  type TaskScope,
} from "@tidemark/state";
import type { ExecutionApiClient } from "../../src/index.js";

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
 * A BaseStoreBackend over the Execution API, so the @tidemark/testkit conformance suite runs through the
 * HTTP path: client → Fastify routes → validation → the server backend. Task scopes map to task instances
 * the harness created; asset scopes map to a task instance declaring the asset as an inlet.
 * `clear({allMapIndices})` clears each prepared map index through its own route (the Execution API only
 * clears a task instance's own map index); `cleanup` is delegated to the server side.
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
    return (await this.getEntry(scope, key))?.value ?? null;
  }

  override async getEntry(scope: StoreScope, key: string): Promise<StoreEntry | null> {
    try {
      const { value, version } =
        scope.kind === "task"
          ? await this.#task(scope).client.getTaskState(this.#task(scope).tiId, key)
          : await this.#options.assetClient(scope).getAssetState(assetAddress(scope), key);
      return { key, value: JSON.stringify(value), version, updatedAt: null, expiresAt: null };
    } catch (error) {
      if (isStateStoreError(error, "NOT_FOUND")) return null;
      throw error;
    }
  }

  override async set(scope: StoreScope, key: string, value: string, options: SetOptions = {}): Promise<void> {
    const json = JSON.parse(value) as JsonValue;
    const conditions = {
      ...(options.ifVersion !== undefined ? { ifVersion: options.ifVersion } : {}),
      ...(options.ifAbsent ? { ifAbsent: true } : {}),
    };
    if (scope.kind === "task") {
      const { client, tiId } = this.#task(scope);
      await client.setTaskState(tiId, key, json, { expiresAt: options.expiresAt ?? null, ...conditions });
    } else {
      await this.#options.assetClient(scope).setAssetState(assetAddress(scope), key, json, conditions);
    }
  }

  override async delete(scope: StoreScope, key: string, options: DeleteOptions = {}): Promise<void> {
    const request = options.ifVersion === undefined ? {} : { ifVersion: options.ifVersion };
    if (scope.kind === "task") {
      await this.#task(scope).client.deleteTaskState(this.#task(scope).tiId, key, request);
    } else {
      await this.#options.assetClient(scope).deleteAssetState(assetAddress(scope), key, request);
    }
  }

  override async clear(scope: StoreScope, options: ClearOptions = {}): Promise<void> {
    if (scope.kind === "asset") {
      await this.#options.assetClient(scope).clearAssetState(assetAddress(scope));
      return;
    }
    const routes = options.allMapIndices ? this.#options.taskRoutesOfTask(scope) : [this.#task(scope)];
    for (const route of routes) await route.client.clearTaskState(route.tiId);
  }

  override async cleanup(options: CleanupOptions = {}): Promise<CleanupReport> {
    return this.#options.cleanup(options);
  }

  #task(scope: TaskScope): TaskRoute {
    return this.#options.taskRoute(scope);
  }
}
