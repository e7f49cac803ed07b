import type { BaseStoreBackend, CleanupReport } from "@tidemark/state";
import type { TidemarkDatabase } from "../database/tidemark-database.js";
import { cleanupStateStore } from "../metastore/state-store-cleanup.js";
import type { CleanupLock } from "./cleanup-lock.js";

/** The logger methods the scheduler uses (pino and Fastify's logger fit). */
export interface CleanupLogger {
  /** The schedule, and each sweep's report or the reason it was skipped (pino's `(object, message)`). */
  info(object: object, message: string): void;
  /** Warnings, in the same `(object, message)` order. */
  warn(object: object, message: string): void;
  /** A sweep that failed, with the error in `object`; the schedule goes on. */
  error(object: object, message: string): void;
}

/** What one sweep did. */
export type CleanupSweepResult =
  | {
      /** The sweep ran. */
      readonly status: "swept";
      /** The rows it deleted, per table. */
      readonly report: CleanupReport;
    }
  | {
      /** The sweep did not run. */
      readonly status: "skipped";
      /** Why, for logs: another server holds the cleanup lock. */
      readonly reason: string;
    }
  | {
      /** The sweep threw; the schedule goes on. */
      readonly status: "failed";
      /** What it threw. */
      readonly error: unknown;
    };

/**
 * How the cleanup lock went for one sweep: taken (`acquired`, the Postgres advisory lock or MySQL named lock), taken by
 * another server so the sweep was skipped (`held_elsewhere`), or a lock that only excludes sweeps inside
 * this process (`not_used`: SQLite, PGlite).
 */
export type CleanupLockOutcome = "acquired" | "held_elsewhere" | "not_used";

/** One finished sweep as {@link CleanupSchedulerOptions.onSweep} sees it, for metrics. */
export interface CleanupSweepObservation {
  /** What the sweep did. */
  readonly result: CleanupSweepResult;
  /** The sweep's wall-clock duration, in seconds (lock included). */
  readonly durationSeconds: number;
  /**
   * The longest stretch between two progress reports of the backend (one batch of deletes), in seconds;
   * the whole sweep when the backend reports no progress; 0 for a skipped sweep.
   */
  readonly longestBatchSeconds: number;
  /** How the lock went; null when taking the lock itself failed. */
  readonly lock: CleanupLockOutcome | null;
}

/** Options of {@link CleanupScheduler}. */
export interface CleanupSchedulerOptions {
  /** The server backend whose `cleanup()` sweeps (`state_store.backend`, default MetastoreBackend). */
  readonly backend: BaseStoreBackend;
  /**
   * The metastore: it knows the deactivated assets, whose state a backend other than MetastoreBackend is
   * told to sweep (`cleanupStateStore`).
   */
  readonly database: TidemarkDatabase;
  /** Keeps servers sharing the metastore from sweeping at once (`cleanupLockFor(database)`). */
  readonly lock: CleanupLock;
  /** Milliseconds between sweeps (`state_store.cleanup_interval_seconds` × 1000); 0 = no scheduled sweeps. */
  readonly intervalMs: number;
  /**
   * Milliseconds from `start()` to the first sweep. Default: the interval, capped at 60000, so servers that
   * restart more often than the interval still sweep.
   */
  readonly initialDelayMs?: number;
  /** Where the schedule and each sweep are logged (a pino logger fits). */
  readonly logger: CleanupLogger;
  /** Told about every finished sweep (the cleanup metrics); it must not throw. */
  readonly onSweep?: (sweep: CleanupSweepObservation) => void;
}

function totalRows(report: CleanupReport): number {
  return Object.values(report.deleted).reduce((sum, n) => sum + n, 0);
}

/**
 * Runs the server backend's `cleanup()` on a timer, through the state store core so that every backend
 * sweeps the state of deactivated assets: the scheduled garbage collection of `tidemark api-server` (`state_store.cleanup_interval_seconds`, default 3600; 0 = off). Each sweep runs under a
 * {@link CleanupLock}; a server that does not get the lock skips that sweep and logs so. Sweeps never
 * overlap: the next one is scheduled when the previous one ends. Every sweep is logged with the rows
 * deleted per table and its duration; a failed sweep is logged and the schedule goes on.
 *
 * Timers are unref'd, so a scheduler never keeps a process alive; call {@link stop} before closing the
 * backend.
 */
export class CleanupScheduler {
  readonly #options: CleanupSchedulerOptions;
  #timer: NodeJS.Timeout | undefined;
  #current: Promise<CleanupSweepResult> | undefined;
  #stopped = true;

  /** @param options - backend, lock, interval, logger. */
  constructor(options: CleanupSchedulerOptions) {
    if (!Number.isFinite(options.intervalMs) || options.intervalMs < 0) {
      throw new RangeError(`intervalMs must be a number >= 0, got ${options.intervalMs}`);
    }
    this.#options = options;
  }

  /** Whether scheduled sweeps are on (a positive interval). */
  get enabled(): boolean {
    return this.#options.intervalMs > 0;
  }

  /** Starts the schedule (no-op when the interval is 0 or it already runs). */
  start(): void {
    if (!this.#stopped) return;
    const { intervalMs, logger, lock } = this.#options;
    if (intervalMs <= 0) {
      logger.info(
        { interval_seconds: 0 },
        "scheduled state store cleanup is off (state_store.cleanup_interval_seconds = 0)",
      );
      return;
    }
    this.#stopped = false;
    logger.info(
      { interval_seconds: intervalMs / 1000, lock: lock.description },
      "scheduled state store cleanup is on",
    );
    this.#schedule(this.#options.initialDelayMs ?? Math.min(intervalMs, 60_000));
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.runOnce().finally(() => this.#schedule(this.#options.intervalMs));
    }, delayMs);
    this.#timer.unref();
  }

  /**
   * Runs one sweep now (under the lock), logging what it did. Never throws: a failure is logged and
   * returned. While a sweep of this scheduler runs, another call waits for it and returns its result.
   *
   * @returns what the sweep did.
   */
  runOnce(): Promise<CleanupSweepResult> {
    this.#current ??= this.#sweep().finally(() => {
      this.#current = undefined;
    });
    return this.#current;
  }

  async #sweep(): Promise<CleanupSweepResult> {
    const { onSweep } = this.#options;
    const started = performance.now();
    let lock: CleanupLockOutcome | null = null;
    let longestBatchMs = 0;
    let lastProgress = started;
    const onProgress = (): void => {
      const now = performance.now();
      longestBatchMs = Math.max(longestBatchMs, now - lastProgress);
      lastProgress = now;
    };
    const result = await this.#run(onSweep === undefined ? undefined : onProgress, (taken) => {
      lock = taken;
    });
    if (onSweep !== undefined) {
      const ended = performance.now();
      if (result.status !== "skipped") longestBatchMs = Math.max(longestBatchMs, ended - lastProgress);
      onSweep({
        result,
        durationSeconds: (ended - started) / 1000,
        longestBatchSeconds: longestBatchMs / 1000,
        lock,
      });
    }
    return result;
  }

  async #run(
    onProgress: (() => void) | undefined,
    onLock: (outcome: CleanupLockOutcome) => void,
  ): Promise<CleanupSweepResult> {
    const { backend, database, lock, logger } = this.#options;
    const started = performance.now();
    try {
      const outcome = await lock.withLock(() => {
        onLock(lock.shared === true ? "acquired" : "not_used");
        return cleanupStateStore(backend, database, onProgress === undefined ? {} : { onProgress });
      });
      if (!outcome.acquired) {
        onLock("held_elsewhere");
        const reason = `another server holds the cleanup lock (${lock.description})`;
        logger.info({ backend: backend.name }, `state store cleanup skipped: ${reason}`);
        return { status: "skipped", reason };
      }
      const report = outcome.result;
      logger.info(
        {
          deleted: report.deleted,
          rows: totalRows(report),
          duration_ms: Math.round(performance.now() - started),
          backend: backend.name,
        },
        `state store cleanup deleted ${totalRows(report)} rows`,
      );
      return { status: "swept", report };
    } catch (error) {
      logger.error(
        { err: error, duration_ms: Math.round(performance.now() - started), backend: backend.name },
        "state store cleanup failed; the next sweep will try again",
      );
      return { status: "failed", error };
    }
  }

  /** Stops the schedule and waits for a running sweep to end. Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#current;
  }
}
