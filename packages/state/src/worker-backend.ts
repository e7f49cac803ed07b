import { decodeValue } from "./encode-value.js";
import type { JsonValue } from "./json-value.js";
import type { AssetScope, StoreScope, TaskScope } from "./scope.js";
import type { ClearOptions } from "./store-backend.js";

/** Arguments of the serialize-to-ref hooks. */
export interface SerializeToRefArgs<S extends StoreScope> {
  /** The value task code stores. */
  readonly value: JsonValue;
  /** The same value already encoded as JSON text (what would be stored inline). */
  readonly text: string;
  /** The key the value is stored under. */
  readonly key: string;
  /** The task or asset scope of the key. */
  readonly scope: S;
}

/** Arguments of the deserialize-from-ref hooks: where the reference was read. */
export interface DeserializeFromRefArgs<S extends StoreScope> {
  /** The key the reference was read from. */
  readonly key: string;
  /** The task or asset scope of the key. */
  readonly scope: S;
}

/** What a worker backend can do; declared so callers ask instead of catching failures. */
export interface WorkerBackendCapabilities {
  /** Offloads task state values (its task hooks may return a reference). */
  readonly taskState: boolean;
  /** Offloads asset state values. */
  readonly assetState: boolean;
}

/**
 * The worker-side extension point: where a worker offloads state values so that only a reference
 * envelope `{"__airflow_state_ref__": ref}` reaches the database (reference: the "worker-side backend"
 * of AIP-103, `workers.state_store_backend`). Workers never call get/set on it: the state store core
 * decides when to offload, wraps and unwraps the envelope, and removes the objects after the database
 * reference is gone. One class may implement this and {@link BaseStoreBackend} both.
 */
export interface WorkerStoreBackend {
  /** A name for messages and logs. */
  readonly name: string;
  /** What it offloads. */
  readonly workerCapabilities: WorkerBackendCapabilities;
  /**
   * Offloads a task state value and returns its reference, or null to keep the value inline. The
   * reference must be deterministic for (scope, key), never timestamps or random ids, so delete and clear
   * can find the object again. Return the raw reference; the core wraps it.
   */
  serializeTaskStateStoreToRef(args: SerializeToRefArgs<TaskScope>): Promise<string | null>;
  /**
   * Resolves a reference written by {@link serializeTaskStateStoreToRef}.
   *
   * @throws StateStoreError `NOT_FOUND` when the object is missing; `INVALID_VALUE` for a reference this
   *   backend does not own.
   */
  deserializeTaskStateStoreFromRef(ref: string, args: DeserializeFromRefArgs<TaskScope>): Promise<JsonValue>;
  /** As {@link serializeTaskStateStoreToRef}, for asset state. */
  serializeAssetStateStoreToRef(args: SerializeToRefArgs<AssetScope>): Promise<string | null>;
  /** As {@link deserializeTaskStateStoreFromRef}, for asset state. */
  deserializeAssetStateStoreFromRef(
    ref: string,
    args: DeserializeFromRefArgs<AssetScope>,
  ): Promise<JsonValue>;
  /** Removes the object of one key (after the database reference is gone); a no-op when there is none. */
  delete(scope: StoreScope, key: string): Promise<void>;
  /** Removes every object of a scope (for a TaskScope: its map index, or all with `allMapIndices`). */
  clear(scope: StoreScope, options?: ClearOptions): Promise<void>;
  /** Releases handles. */
  close?(): Promise<void>;
}

/**
 * A base for worker backends with the defaults of the reference: keep values inline, decode references
 * as JSON text. Override the hooks for what the backend offloads and declare it in
 * {@link workerCapabilities}.
 */
export abstract class BaseWorkerBackend implements WorkerStoreBackend {
  /** What this backend offloads; nothing by default. */
  readonly workerCapabilities: WorkerBackendCapabilities = { taskState: false, assetState: false };

  /** A name for messages and logs; the class name by default. */
  get name(): string {
    return this.constructor.name;
  }

  /** Default: keep inline. */
  async serializeTaskStateStoreToRef(_args: SerializeToRefArgs<TaskScope>): Promise<string | null> {
    return null;
  }

  /** Default: the reference is JSON text. */
  async deserializeTaskStateStoreFromRef(
    ref: string,
    _args: DeserializeFromRefArgs<TaskScope>,
  ): Promise<JsonValue> {
    return decodeValue(ref);
  }

  /** Default: keep inline. */
  async serializeAssetStateStoreToRef(_args: SerializeToRefArgs<AssetScope>): Promise<string | null> {
    return null;
  }

  /** Default: the reference is JSON text. */
  async deserializeAssetStateStoreFromRef(
    ref: string,
    _args: DeserializeFromRefArgs<AssetScope>,
  ): Promise<JsonValue> {
    return decodeValue(ref);
  }

  abstract delete(scope: StoreScope, key: string): Promise<void>;
  abstract clear(scope: StoreScope, options?: ClearOptions): Promise<void>;

  /** Default: nothing to release. */
  async close(): Promise<void> {}
}

/**
 * Tells whether a value implements {@link WorkerStoreBackend} (the four hooks, delete and clear).
 *
 * @param value - anything, for example a loaded export.
 * @returns true for a worker backend.
 */
export function isWorkerStoreBackend(value: unknown): value is WorkerStoreBackend {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return [
    "serializeTaskStateStoreToRef",
    "deserializeTaskStateStoreFromRef",
    "serializeAssetStateStoreToRef",
    "deserializeAssetStateStoreFromRef",
    "delete",
    "clear",
  ].every((m) => typeof v[m] === "function");
}
