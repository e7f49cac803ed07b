import {
  type AssetScope,
  BaseWorkerBackend,
  type JsonValue,
  type SerializeToRefArgs,
  StateStoreError,
  type StoreScope,
  type TaskScope,
  taskScope,
} from "@tidemark/state";
import { InMemoryStoreBackend } from "@tidemark/testkit";

const PREFIX = "mem:";

/**
 * A worker backend for tests: it offloads every value (or those of at least `thresholdBytes` characters)
 * into an InMemoryStoreBackend and returns a deterministic reference `mem:[scope…, key]`, so delete and
 * clear remove exactly the objects of a key or scope. `failNext` makes the next delete or clear throw, to
 * test the database-first ordering.
 */
export class OffloadingMemoryBackend extends BaseWorkerBackend {
  override readonly workerCapabilities = Object.freeze({ taskState: true, assetState: true });
  /** Where the offloaded objects live. */
  readonly objects = new InMemoryStoreBackend();
  /** Hook calls in order, for example `serializeTask:job_id`, `delete:job_id`, `clear`. */
  readonly calls: string[] = [];
  /** Values whose JSON text is shorter than this stay inline. */
  thresholdBytes = 0;
  /** Makes the next delete or clear fail with this error. */
  failNext: Error | undefined;

  static refOf(scope: StoreScope, key: string): string {
    const parts =
      scope.kind === "task"
        ? ["task", scope.dagId, scope.runId, scope.taskId, scope.mapIndex, key]
        : ["asset", scope.name ?? null, scope.uri ?? null, key];
    return `${PREFIX}${JSON.stringify(parts)}`;
  }

  static parseRef(ref: string): { scope: StoreScope; key: string } {
    if (!ref.startsWith(PREFIX)) throw new StateStoreError("INVALID_VALUE", `not a mem: reference: ${ref}`);
    const parts = JSON.parse(ref.slice(PREFIX.length)) as (string | number | null)[];
    if (parts[0] === "task") {
      const [, dagId, runId, taskId, mapIndex, key] = parts as [
        string,
        string,
        string,
        string,
        number,
        string,
      ];
      return { scope: taskScope({ dagId, runId, taskId, mapIndex }), key };
    }
    const [, name, uri, key] = parts as [string, string | null, string | null, string];
    const scope: { kind: "asset"; name?: string; uri?: string } = { kind: "asset" };
    if (name !== null) scope.name = name;
    if (uri !== null) scope.uri = uri;
    return { scope, key };
  }

  async #offload(args: SerializeToRefArgs<StoreScope>): Promise<string | null> {
    if (args.text.length < this.thresholdBytes) return null;
    await this.objects.set(args.scope, args.key, args.text);
    return OffloadingMemoryBackend.refOf(args.scope, args.key);
  }

  async #resolve(ref: string): Promise<JsonValue> {
    const { scope, key } = OffloadingMemoryBackend.parseRef(ref);
    const text = await this.get(scope, key);
    if (text === null) throw new StateStoreError("NOT_FOUND", `object ${ref} does not exist`);
    return JSON.parse(text) as JsonValue;
  }

  override async serializeTaskStateStoreToRef(args: SerializeToRefArgs<TaskScope>): Promise<string | null> {
    this.calls.push(`serializeTask:${args.key}`);
    return this.#offload(args);
  }

  override async deserializeTaskStateStoreFromRef(ref: string): Promise<JsonValue> {
    this.calls.push("deserializeTask");
    return this.#resolve(ref);
  }

  override async serializeAssetStateStoreToRef(args: SerializeToRefArgs<AssetScope>): Promise<string | null> {
    this.calls.push(`serializeAsset:${args.key}`);
    return this.#offload(args);
  }

  override async deserializeAssetStateStoreFromRef(ref: string): Promise<JsonValue> {
    this.calls.push("deserializeAsset");
    return this.#resolve(ref);
  }

  /** The offloaded text of a key, or null. */
  async get(scope: StoreScope, key: string): Promise<string | null> {
    return this.objects.get(scope, key);
  }

  override async delete(scope: StoreScope, key: string): Promise<void> {
    this.calls.push(`delete:${key}`);
    this.#maybeFail();
    await this.objects.delete(scope, key);
  }

  override async clear(scope: StoreScope): Promise<void> {
    this.calls.push("clear");
    this.#maybeFail();
    await this.objects.clear(scope);
  }

  #maybeFail(): void {
    const error = this.failNext;
    if (error !== undefined) {
      this.failNext = undefined;
      throw error;
    }
  }
}
