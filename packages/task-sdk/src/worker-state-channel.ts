import {
  type WorkerStoreBackend,
  isStateStoreError,
  type JsonValue,
  type StoreScope,
  validateKey,
} from "@tidemark/state";
import { type CompareAndSetOptions, checkCompareAndSet } from "./compare-and-set-options.js";
import type { VersionedValue } from "./task-instance-info.js";
import type { TaskLogger } from "./task-logger.js";
import { afterDatabase, decodeFromWire, encodeForWire } from "./worker-state-codec.js";

/** The Execution API routes of one scope that the accessors share (writes differ and stay theirs). */
export interface WorkerStateRoutes {
  /** Reads a key; a missing key is a `NOT_FOUND` StateStoreError. */
  read(key: string): Promise<VersionedValue<JsonValue>>;
  /** Deletes a key's row. */
  remove(key: string): Promise<void>;
  /** Deletes every row of the scope. */
  removeAll(): Promise<void>;
}

/** What a {@link WorkerStateChannel} is built from. */
export interface WorkerStateChannelOptions {
  /** Words for messages: `task state` or `asset state`. */
  readonly what: string;
  /** The scope the worker backend's hooks, delete and clear receive. */
  readonly scope: StoreScope;
  /** The worker backend, or null for values inline. */
  readonly backend: WorkerStoreBackend | null;
  /** `state_store.max_value_storage_bytes` (0 = no limit). */
  readonly maxBytes: number;
  readonly log: TaskLogger;
  readonly routes: WorkerStateRoutes;
}

/**
 * The path a state value takes between task code and the Execution API, shared by the task and asset
 * accessors: validation before anything is sent, the worker backend's serialize/deserialize hooks and the
 * reference envelope, and the database-first order of delete and clear (reference: worker side state
 * backends, "cleanup the DB ref first").
 */
export class WorkerStateChannel {
  readonly #o: WorkerStateChannelOptions;

  /** @param options - scope, worker backend, size limit, logger and the scope's routes. */
  constructor(options: WorkerStateChannelOptions) {
    this.#o = options;
  }

  /**
   * Reads a key and resolves a reference envelope through the worker backend.
   *
   * @returns `{value, version}`, or null when the key does not exist.
   * @throws StateStoreError `INVALID_KEY`; any API error other than `NOT_FOUND`; the backend's errors.
   */
  async getEntry<T>(key: string): Promise<VersionedValue<T> | null> {
    validateKey(key);
    let stored: VersionedValue<JsonValue>;
    try {
      stored = await this.#o.routes.read(key);
    } catch (error) {
      if (isStateStoreError(error, "NOT_FOUND")) return null;
      throw error;
    }
    const { scope, backend, log } = this.#o;
    const value = await decodeFromWire({ key, stored: stored.value, scope, backend, log });
    return { value: value as T, version: stored.version };
  }

  /**
   * Checks a write's key and compare-and-set conditions before anything else happens.
   *
   * @returns whether the write is conditional.
   * @throws StateStoreError `INVALID_KEY`, `INVALID_VALUE` for malformed conditions.
   */
  checkWrite(key: string, options: CompareAndSetOptions): boolean {
    validateKey(key);
    return checkCompareAndSet(options);
  }

  /**
   * Turns a value into the payload sent to the API: validated, size-checked, and offloaded through the
   * worker backend unless the write is conditional (conditional values stay inline).
   *
   * @throws StateStoreError `INVALID_VALUE`, `VALUE_TOO_LARGE`, or the backend's errors.
   */
  encode(key: string, value: unknown, conditional: boolean): Promise<JsonValue> {
    const { scope, backend, maxBytes } = this.#o;
    return encodeForWire({ key, value, scope, backend, maxBytes, inline: conditional });
  }

  /**
   * Deletes a key: the database reference first, then the backend's object.
   *
   * @throws StateStoreError from the API; or, after the reference is gone, the backend's failure.
   */
  async delete(key: string): Promise<void> {
    validateKey(key);
    await this.#o.routes.remove(key);
    const { backend, scope, what } = this.#o;
    if (backend !== null) {
      await afterDatabase(backend, `delete of ${what} key ${JSON.stringify(key)}`, () =>
        backend.delete(scope, key),
      );
    }
  }

  /**
   * Deletes every key of the scope: the database first, then the backend's `clear`.
   *
   * @throws StateStoreError from the API; or, after the rows are gone, the backend's failure.
   */
  async clear(): Promise<void> {
    await this.#o.routes.removeAll();
    await this.clearBackend();
  }

  /**
   * Clears only the worker backend's objects of the scope; a no-op without a worker backend.
   *
   * @throws StateStoreError the backend's failure.
   */
  async clearBackend(): Promise<void> {
    const { backend, scope, what } = this.#o;
    if (backend !== null) await afterDatabase(backend, `clear of ${what}`, () => backend.clear(scope));
  }
}
