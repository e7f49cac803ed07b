import { decodeValue } from "../../src/encode-value.js";
import type { JsonValue } from "../../src/json-value.js";
import type { AssetScope, StoreScope, TaskScope } from "../../src/scope.js";
import type { ClearOptions } from "../../src/store-backend.js";
import type {
  DeserializeFromRefArgs,
  SerializeToRefArgs,
  WorkerBackendCapabilities,
  WorkerStoreBackend,
} from "../../src/worker-backend.js";

/** One call the worker backend received. */
export interface WorkerCall {
  readonly op: "serialize" | "deserialize" | "delete" | "clear" | "close";
  readonly kind?: StoreScope["kind"];
  readonly key?: string;
  readonly ref?: string;
  readonly scope?: StoreScope;
}

/**
 * A worker backend keeping objects in a Map under `mem://<key>`, logging every call. `offload` decides per
 * value whether to offload (default: always); `refFor` overrides the reference returned.
 */
export class RecordingWorker implements WorkerStoreBackend {
  readonly name = "RecordingWorker";
  readonly workerCapabilities: WorkerBackendCapabilities = { taskState: true, assetState: true };
  readonly calls: WorkerCall[] = [];
  readonly objects = new Map<string, string>();
  /** An order log shared with a backend, when a test checks what ran first. */
  order: string[] | undefined;
  offload: (text: string) => boolean = () => true;
  refFor: ((key: string) => unknown) | undefined;
  failDelete: Error | undefined;
  failClear: Error | undefined;

  #serialize(kind: StoreScope["kind"], args: SerializeToRefArgs<StoreScope>): Promise<string | null> {
    this.calls.push({ op: "serialize", kind, key: args.key, scope: args.scope });
    if (!this.offload(args.text)) return Promise.resolve(null);
    if (this.refFor !== undefined) return Promise.resolve(this.refFor(args.key) as string | null);
    const ref = `mem://${args.key}`;
    this.objects.set(ref, args.text);
    return Promise.resolve(ref);
  }

  #deserialize(kind: StoreScope["kind"], ref: string, args: DeserializeFromRefArgs<StoreScope>) {
    this.calls.push({ op: "deserialize", kind, key: args.key, ref, scope: args.scope });
    const text = this.objects.get(ref);
    if (text === undefined) throw new Error(`no object ${ref}`);
    return Promise.resolve(decodeValue(text));
  }

  serializeTaskStateStoreToRef(args: SerializeToRefArgs<TaskScope>): Promise<string | null> {
    return this.#serialize("task", args);
  }

  deserializeTaskStateStoreFromRef(ref: string, args: DeserializeFromRefArgs<TaskScope>): Promise<JsonValue> {
    return this.#deserialize("task", ref, args);
  }

  serializeAssetStateStoreToRef(args: SerializeToRefArgs<AssetScope>): Promise<string | null> {
    return this.#serialize("asset", args);
  }

  deserializeAssetStateStoreFromRef(
    ref: string,
    args: DeserializeFromRefArgs<AssetScope>,
  ): Promise<JsonValue> {
    return this.#deserialize("asset", ref, args);
  }

  async delete(scope: StoreScope, key: string): Promise<void> {
    this.calls.push({ op: "delete", key, scope });
    this.order?.push("worker.delete");
    if (this.failDelete !== undefined) throw this.failDelete;
    this.objects.delete(`mem://${key}`);
  }

  async clear(scope: StoreScope, _options?: ClearOptions): Promise<void> {
    this.calls.push({ op: "clear", scope });
    this.order?.push("worker.clear");
    if (this.failClear !== undefined) throw this.failClear;
    this.objects.clear();
  }

  async close(): Promise<void> {
    this.calls.push({ op: "close" });
  }
}
