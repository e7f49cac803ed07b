import { createStateStore, type StateStore, type WorkerStoreBackend } from "@tidemark/state";
import type { ExecutionApiClient } from "./execution-api-client.js";
import { ExecutionApiStoreBackend, type ExecutionApiTarget } from "./execution-api-store-backend.js";
import type { TaskLogger } from "./task-logger.js";
import { workerMetricsInstrumentation } from "./worker-metrics-instrumentation.js";
import type { WorkerSettings } from "./worker-settings.js";

/** What {@link createWorkerStateStore} builds the state store of one accessor from. */
export interface WorkerStateStoreOptions {
  readonly client: ExecutionApiClient;
  /** The task instance or asset the accessor serves. */
  readonly target: ExecutionApiTarget;
  readonly settings: WorkerSettings;
  /** The worker backend, or null for values inline. */
  readonly workerBackend: WorkerStoreBackend | null;
  /** Where a malformed reference envelope is reported. */
  readonly log: TaskLogger;
  /** The clock of the default retention. Default the system clock. */
  readonly now?: () => Date;
}

/**
 * The state store an accessor goes through: the worker side of `createStateStore` over the Execution API.
 * It validates and size-checks before anything is sent, offloads through the worker backend (conditional
 * writes stay inline), resolves references on read, and deletes database-first. Workers write reference
 * envelopes themselves, so the reserved member is accepted. Written values are reported to the client's
 * metrics hook (`valueWritten`), when it has one.
 *
 * @param options - client, target, settings, worker backend, logger, clock.
 * @returns the state store.
 */
export function createWorkerStateStore(options: WorkerStateStoreOptions): StateStore {
  const { settings, log } = options;
  const instrumentation = workerMetricsInstrumentation(options.client.metrics);
  return createStateStore(new ExecutionApiStoreBackend(options), {
    side: "worker",
    workerBackend: options.workerBackend,
    maxValueStorageBytes: settings.maxValueStorageBytes,
    // Unknown retention stays undefined, so "default" reaches the server, which applies its own.
    defaultRetentionDays: settings.defaultRetentionDays,
    references: "accept",
    onWarning: (message, details) => log.warn(details, message),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(instrumentation === undefined ? {} : { instrumentation }),
  });
}
