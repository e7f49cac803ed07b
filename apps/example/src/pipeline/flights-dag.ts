import { Asset } from "@tidemark/task-sdk";

/** The dag: one run per day of flights. */
export const DAG_ID = "flights_daily";

/** Task ids in the order a dag run runs them. */
export const TASK_IDS = Object.freeze({ ingest: "ingest_flights", delayReport: "delay_report" } as const);

/**
 * The asset the ingest task reads (inlet) and writes (outlet): the warehouse's flights table. Its asset
 * state holds the load watermark, the per-airport aggregates and the last load.
 */
export const FLIGHTS_ASSET = new Asset({ name: "flights", uri: "warehouse://example/flights" });

/** Asset state keys of {@link FLIGHTS_ASSET}. */
export const ASSET_KEYS = Object.freeze({
  /** The last departure loaded, `YYYY-MM-DDTHH:MM`; advanced with compare-and-set. Small: inline. */
  watermark: "watermark",
  /** Per-airport aggregates (`AirportStats`); tens of kilobytes: offloaded by the worker backend. */
  airportStats: "airport_stats",
  /** What the last load did. Small: inline. */
  lastLoad: "last_load",
} as const);

/** Task state keys of the delay report. */
export const TASK_KEYS = Object.freeze({
  /** The id of the external job; stored with NEVER_EXPIRE and kept after the task succeeds. */
  jobId: "job_id",
  /** The page cursor and partial result after the last finished page; deleted when the job is done. */
  checkpoint: "checkpoint",
} as const);

/**
 * The run id of the scheduled run of a day, as Airflow names them.
 *
 * @param day - `YYYY-MM-DD`.
 * @returns `scheduled__YYYY-MM-DDT00:00:00+00:00`.
 */
export function scheduledRunId(day: string): string {
  return `scheduled__${day}T00:00:00+00:00`;
}

/**
 * The run id of a manual run triggered at `at`.
 *
 * @returns `manual__<ISO time>`.
 */
export function manualRunId(at: Date): string {
  return `manual__${at.toISOString().replace("Z", "+00:00")}`;
}
