import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { CleanupSweepObservation } from "../../cleanup-scheduler/cleanup-scheduler.js";

/** Sweep durations in seconds. */
const SWEEP_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900];

/**
 * The scheduled cleanup's metrics: sweeps by outcome, rows deleted per table, sweep duration, the
 * longest batch of the last sweep, the time of the last successful sweep, the lock outcome, and the
 * configured interval (so an alert can compare the two).
 */
export class CleanupMetrics {
  readonly #sweeps: Counter<"outcome">;
  readonly #deleted: Counter<"table">;
  readonly #duration: Histogram;
  readonly #longestBatch: Gauge;
  readonly #lastSuccess: Gauge;
  readonly #lock: Counter<"outcome">;

  /**
   * @param registry - the server's registry.
   * @param intervalSeconds - `state_store.cleanup_interval_seconds` (0 = scheduled cleanup off).
   */
  constructor(registry: Registry, intervalSeconds: number) {
    const registers = [registry];
    this.#sweeps = new Counter({
      name: "tidemark_cleanup_sweeps_total",
      help: "Scheduled cleanup sweeps, by outcome: swept, skipped (another server holds the lock), failed.",
      labelNames: ["outcome"],
      registers,
    });
    for (const outcome of ["swept", "skipped", "failed"]) this.#sweeps.labels(outcome).inc(0);
    this.#deleted = new Counter({
      name: "tidemark_cleanup_deleted_rows_total",
      help: "Rows (or objects) the scheduled cleanup deleted, by table or category.",
      labelNames: ["table"],
      registers,
    });
    this.#duration = new Histogram({
      name: "tidemark_cleanup_duration_seconds",
      help: "Duration of scheduled cleanup sweeps that ran (swept or failed), in seconds.",
      buckets: SWEEP_BUCKETS,
      registers,
    });
    this.#longestBatch = new Gauge({
      name: "tidemark_cleanup_longest_batch_seconds",
      help: "The longest batch of deletes of the last sweep that ran, in seconds (how long it held the database).",
      registers,
    });
    this.#lastSuccess = new Gauge({
      name: "tidemark_cleanup_last_success_timestamp_seconds",
      help: "Unix time of the last successful scheduled cleanup sweep, in seconds; 0 before the first.",
      registers,
    });
    this.#lock = new Counter({
      name: "tidemark_cleanup_lock_total",
      help: "How the cleanup lock went per sweep: acquired (the Postgres advisory lock or MySQL named lock), held_elsewhere (another server sweeps), not_used (SQLite, PGlite: an in-process lock).",
      labelNames: ["outcome"],
      registers,
    });
    new Gauge({
      name: "tidemark_cleanup_interval_seconds",
      help: "The configured scheduled cleanup interval (state_store.cleanup_interval_seconds) in seconds; 0 = off.",
      registers,
    }).set(intervalSeconds);
  }

  /**
   * Records one finished sweep (`CleanupSchedulerOptions.onSweep`).
   *
   * @param sweep - what the sweep did and how long it took.
   */
  observe(sweep: CleanupSweepObservation): void {
    const { result } = sweep;
    this.#sweeps.labels(result.status).inc();
    if (sweep.lock !== null) this.#lock.labels(sweep.lock).inc();
    if (result.status === "skipped") return;
    this.#duration.observe(sweep.durationSeconds);
    this.#longestBatch.set(sweep.longestBatchSeconds);
    if (result.status !== "swept") return;
    for (const [table, rows] of Object.entries(result.report.deleted)) this.#deleted.labels(table).inc(rows);
    this.#lastSuccess.set(Date.now() / 1000);
  }
}
