import type { JsonValue, StateStore, TaskScope, WorkerStoreBackend } from "@tidemark/state";
import { type Clock, systemClock } from "./clock.js";
import type { CompareAndSetOptions } from "./compare-and-set-options.js";
import { computeExpiresAt } from "./compute-expires-at.js";
import type { ExecutionApiClient } from "./execution-api-client.js";
import type { NeverExpire } from "./never-expire.js";
import type { VersionedValue } from "./task-instance-info.js";
import { silentTaskLogger, type TaskLogger } from "./task-logger.js";
import { DEFAULT_WORKER_SETTINGS, type WorkerSettings } from "./worker-settings.js";
import { createWorkerStateStore } from "./worker-state-store.js";

/** Options of {@link TaskStateStoreAccessor.set}. */
export interface TaskStateStoreSetOptions extends CompareAndSetOptions {
  /**
   * How long the key lives, in milliseconds from now (UTC), or `NEVER_EXPIRE`. Absent:
   * `state_store.default_retention_days` (0 = never expires).
   */
  readonly retentionMs?: number | NeverExpire;
}

/** What a {@link TaskStateStoreAccessor} is built from; `runTask` builds it for you. */
export interface TaskStateStoreAccessorOptions {
  /** The Execution API client, holding the task instance's token. */
  readonly client: ExecutionApiClient;
  /** The task instance id (the token's `sub`). */
  readonly taskInstanceId: string;
  /** The task instance's scope, given to the worker backend's hooks, delete and clear. */
  readonly scope: TaskScope;
  /** Retention default and size limit. Default {@link DEFAULT_WORKER_SETTINGS}. */
  readonly settings?: WorkerSettings;
  /** The worker backend; null or absent keeps values inline. */
  readonly backend?: WorkerStoreBackend | null;
  /** The clock `expires_at` is computed from. Default the system clock. */
  readonly clock?: Clock;
  /** Where warnings go. Default: nowhere. */
  readonly log?: TaskLogger;
}

/**
 * Task state of the running task instance: key/value JSON that lives until its retention ends, the task
 * instance's state is cleared, or (with `state_store.clear_on_success`) the task succeeds. Available as
 * `ctx.taskStateStore`. Reference: `TaskStateStoreAccessor` (`context["task_state_store"]`).
 *
 * Every write is validated and size-checked on the worker before anything is sent. With a worker backend
 * (`workers.state_store_backend`), values are offloaded through its `serializeTaskStateStoreToRef` hook
 * and the database holds `{"__airflow_state_ref__": ref}`; reads resolve the reference again.
 */
export class TaskStateStoreAccessor {
  readonly #scope: TaskScope;
  readonly #settings: WorkerSettings;
  readonly #clock: Clock;
  readonly #store: StateStore;

  /** @param options - client, task instance id and scope, settings, worker backend, clock, logger. */
  constructor(options: TaskStateStoreAccessorOptions) {
    this.#scope = options.scope;
    this.#settings = options.settings ?? DEFAULT_WORKER_SETTINGS;
    const clock = options.clock ?? systemClock;
    this.#clock = clock;
    this.#store = createWorkerStateStore({
      client: options.client,
      target: { kind: "task", taskInstanceId: options.taskInstanceId },
      settings: this.#settings,
      workerBackend: options.backend ?? null,
      log: options.log ?? silentTaskLogger,
      now: () => clock(),
    });
  }

  /** The task instance's scope. */
  get scope(): TaskScope {
    return this.#scope;
  }

  /**
   * Reads a key.
   *
   * @param key - the key (1–512 characters, no control characters; "/" allowed).
   * @param defaultValue - returned when the key does not exist or has expired.
   * @returns the value, else `defaultValue` (undefined when none is given).
   * @throws StateStoreError `INVALID_KEY`; any error other than `NOT_FOUND` (`UNAUTHORIZED`,
   *   `BACKEND_UNAVAILABLE`, a worker backend's `NOT_FOUND` for a missing object, …).
   */
  async get<T = JsonValue>(key: string, defaultValue?: T): Promise<T | undefined> {
    const entry = await this.getEntry<T>(key);
    return entry === null ? defaultValue : entry.value;
  }

  /**
   * Reads a key with its version, for compare-and-set loops (beyond the reference):
   * read, compute, `set(key, next, { ifVersion: entry.version })`, retry on `CONFLICT`.
   *
   * @returns `{value, version}`, or null when the key does not exist or has expired.
   * @throws StateStoreError as {@link get}.
   */
  async getEntry<T = JsonValue>(key: string): Promise<VersionedValue<T> | null> {
    const entry = await this.#store.getEntry(this.#scope, key);
    return entry === null ? null : { value: entry.value as T, version: entry.version };
  }

  /**
   * Writes or overwrites a key. `expires_at` is computed here, in UTC, from `retentionMs`
   * (see {@link computeExpiresAt}).
   *
   * @param key - the key.
   * @param value - any JSON value except a top-level null.
   * @param options - `retentionMs` (milliseconds or `NEVER_EXPIRE`), `ifVersion` / `ifAbsent`.
   * @throws StateStoreError `INVALID_KEY`, `INVALID_VALUE` (also for a bad retention), `VALUE_TOO_LARGE`
   *   over `state_store.max_value_storage_bytes` (nothing sent), `CONFLICT` when a condition fails,
   *   a conditional value too large to stay inline
   *   (`VALUE_TOO_LARGE`: conditional writes are never offloaded, so no object is overwritten before the
   *   condition is checked), `UNAUTHORIZED`, `BACKEND_UNAVAILABLE`, …
   */
  async set(key: string, value: unknown, options: TaskStateStoreSetOptions = {}): Promise<void> {
    const expiresAt = computeExpiresAt(
      options.retentionMs,
      this.#clock(),
      this.#settings.defaultRetentionDays,
    );
    await this.#store.set(this.#scope, key, value, {
      expiresAt,
      ifVersion: options.ifVersion,
      ifAbsent: options.ifAbsent,
    });
  }

  /**
   * Deletes a key; a no-op when it does not exist. With a worker backend: the database reference first,
   * then the backend's object, so a backend failure leaves at most an orphaned object that the next set of
   * the key overwrites.
   *
   * @throws StateStoreError from the API; or, after the reference is gone, the backend's failure.
   */
  async delete(key: string): Promise<void> {
    await this.#store.delete(this.#scope, key);
  }

  /**
   * Deletes every key of this task instance (its own map index only). With a worker backend: the database
   * first, then the backend's `clear`.
   *
   * @throws StateStoreError from the API; or, after the rows are gone, the backend's failure.
   */
  async clear(): Promise<void> {
    await this.#store.clear(this.#scope);
  }

  /**
   * Clears only the worker backend's objects of this task instance, without calling the API. Used by
   * `runTask` with `state_store.clear_on_success`, where the server already cleared the rows when the
   * success was reported (reference: `_clear_backend_only`). A no-op without a worker backend.
   *
   * @throws StateStoreError the backend's failure.
   */
  async clearWorkerBackend(): Promise<void> {
    await this.#store.clearWorkerBackend(this.#scope);
  }
}
