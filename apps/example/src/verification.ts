import { isDeepStrictEqual } from "node:util";
import {
  type AirportRanking,
  type AirportStats,
  addFlights,
  DEFAULT_MIN_FLIGHTS,
  emptyAirportStats,
  rankAirportsByAverageDelay,
} from "./airport-stats.js";
import { dayOf, type Flight, INITIAL_WATERMARK } from "./flights-data.js";
import { DELAYED_AFTER_MINUTES } from "./pipeline/delay-report.js";
import { TASK_IDS, TASK_KEYS } from "./pipeline/flights-dag.js";
import type { TaskStateKey } from "./state-inventory.js";
import type { DelayReportResult } from "./warehouse.js";

/** One verified property of the pipeline's result. */
export interface Check {
  readonly name: string;
  readonly ok: boolean;
  /** What was compared, with the figures. */
  readonly detail: string;
}

/** The flights the pipeline should hold, computed directly from the file. */
export interface Expectation {
  /** The last departure covered, `YYYY-MM-DDTHH:MM` (the expected watermark). */
  readonly watermark: string;
  /** Flights with departure <= watermark, in file order. */
  readonly flights: readonly Flight[];
  /** Per-airport aggregates over them. */
  readonly stats: AirportStats;
  /** The top airports over them. */
  readonly top: readonly AirportRanking[];
}

/**
 * What the pipeline must hold after covering the file up to `through`: computed straight from the file,
 * without the pipeline.
 *
 * @param flights - the whole file.
 * @param through - the end of the last covered day (inclusive).
 * @returns the expected flights, watermark, aggregates and ranking.
 */
export function expectationThrough(flights: readonly Flight[], through: string): Expectation {
  const covered = flights.filter((f) => f.departure <= through);
  const watermark = covered[covered.length - 1]?.departure ?? INITIAL_WATERMARK;
  const stats = addFlights(emptyAirportStats(INITIAL_WATERMARK), covered, watermark);
  return { watermark, flights: covered, stats, top: rankAirportsByAverageDelay(stats) };
}

/**
 * Compares the warehouse's flights with the expected ones by source index: no duplicate, no gap, nothing
 * unexpected.
 *
 * @param stored - source indexes of the warehouse rows (duplicates kept).
 * @param totalRows - every warehouse row, whatever its departure.
 * @param expected - the expected flights.
 * @returns the check.
 */
export function checkIngested(
  stored: readonly number[],
  totalRows: number,
  expected: readonly Flight[],
): Check {
  const seen = new Set<number>();
  let duplicates = 0;
  for (const index of stored) {
    if (seen.has(index)) duplicates += 1;
    seen.add(index);
  }
  const wanted = new Set(expected.map((f) => f.index));
  let gaps = 0;
  for (const index of wanted) if (!seen.has(index)) gaps += 1;
  let unexpected = 0;
  for (const index of seen) if (!wanted.has(index)) unexpected += 1;
  const beyond = totalRows - stored.length;
  const ok =
    duplicates === 0 && gaps === 0 && unexpected === 0 && beyond === 0 && stored.length === expected.length;
  return {
    name: "flights ingested",
    ok,
    detail: `${stored.length} rows in the warehouse, ${expected.length} flights in the file: ${duplicates} duplicate(s), ${gaps} gap(s), ${unexpected + beyond} unexpected row(s)`,
  };
}

/**
 * Compares the pipeline's `airport_stats` (read back through the SDK) with a direct computation.
 *
 * @param stats - the asset state value, or undefined when missing.
 * @param expected - the direct computation.
 * @returns the checks: the aggregates, and the top airports.
 */
export function checkAirportStats(stats: AirportStats | undefined, expected: Expectation): Check[] {
  if (stats === undefined) {
    return [{ name: "airport_stats", ok: false, detail: "asset state airport_stats is missing" }];
  }
  const differing = new Set([...Object.keys(stats.airports), ...Object.keys(expected.stats.airports)]);
  for (const code of [...differing]) {
    if (isDeepStrictEqual(stats.airports[code], expected.stats.airports[code])) differing.delete(code);
  }
  const top = rankAirportsByAverageDelay(stats);
  return [
    {
      name: "airport_stats",
      ok:
        differing.size === 0 &&
        stats.flights === expected.flights.length &&
        stats.through === expected.watermark,
      detail: `${Object.keys(stats.airports).length} airports, ${stats.flights} flights through ${stats.through}; ${differing.size} airport(s) differ from the direct computation`,
    },
    {
      name: `top ${expected.top.length} airports`,
      ok: isDeepStrictEqual(top, expected.top),
      detail: isDeepStrictEqual(top, expected.top)
        ? `same airports, order and figures as the direct computation over the file (airports with >= ${DEFAULT_MIN_FLIGHTS} departures)`
        : `pipeline: ${top.map((t) => t.airport).join(", ")}; file: ${expected.top.map((t) => t.airport).join(", ")}`,
    },
  ];
}

/**
 * The delay report of one day's flights, computed directly.
 *
 * @param flights - the day's flights.
 * @returns flights, delayed (> 15 minutes), total and worst delay.
 */
export function delayReportOf(flights: readonly Flight[]): DelayReportResult {
  let worstDelay: number | null = null;
  let delayed = 0;
  let totalDelay = 0;
  for (const f of flights) {
    if (f.delay > DELAYED_AFTER_MINUTES) delayed += 1;
    totalDelay += f.delay;
    worstDelay = worstDelay === null ? f.delay : Math.max(worstDelay, f.delay);
  }
  return { flights: flights.length, delayed, totalDelay, worstDelay };
}

/**
 * Compares every day's delay report (the external job's result) with a direct computation.
 *
 * @param days - the days and the results their runs' jobs left (null: no finished job).
 * @param flights - the whole file.
 * @returns the check.
 */
export function checkDelayReports(
  days: readonly { day: string; result: DelayReportResult | null }[],
  flights: readonly Flight[],
): Check {
  const byDay = new Map<string, Flight[]>();
  for (const f of flights) {
    const list = byDay.get(dayOf(f.departure));
    if (list === undefined) byDay.set(dayOf(f.departure), [f]);
    else list.push(f);
  }
  const wrong = days.filter((d) => !isDeepStrictEqual(d.result, delayReportOf(byDay.get(d.day) ?? [])));
  return {
    name: "delay reports",
    ok: wrong.length === 0,
    detail:
      wrong.length === 0
        ? `${days.length} daily report(s), each equal to a direct computation over the day's flights`
        : `${wrong.length} of ${days.length} daily report(s) differ or are missing: ${wrong
            .slice(0, 5)
            .map((d) => d.day)
            .join(", ")}`,
  };
}

/** A delay report this invocation ran to success, and the external job its task state named. */
export interface DelayReportRan {
  readonly runId: string;
  readonly jobId: string;
}

/**
 * Checks the task state the delay reports left, looking only at the demo's own keys (`job_id` and
 * `checkpoint` of `delay_report`, map index -1); keys someone else added (by hand, through the CLI or the
 * REST API) are counted but not judged.
 * - No `checkpoint` is left anywhere: a finished report deletes it, and clear_on_success clears it.
 * - Without clear_on_success each report of this invocation keeps `job_id` = the job that made it.
 * - With clear_on_success (the server clears on success) no report of this invocation keeps a key.
 *
 * @param options - whether clear_on_success is on, the reports this invocation ran, the dag's task keys.
 * @returns the check.
 */
export function checkDelayReportState(options: {
  readonly clearOnSuccess: boolean;
  readonly ran: readonly DelayReportRan[];
  readonly taskKeys: readonly TaskStateKey[];
}): Check {
  const ownKeys = new Set<string>(Object.values(TASK_KEYS));
  const own = options.taskKeys.filter(
    (k) => k.taskId === TASK_IDS.delayReport && k.mapIndex === -1 && ownKeys.has(k.key),
  );
  const others = options.taskKeys.length - own.length;
  const problems: string[] = [];
  const checkpoints = own.filter((k) => k.key === TASK_KEYS.checkpoint);
  if (checkpoints.length > 0) {
    problems.push(
      `${checkpoints.length} checkpoint(s) left (${checkpoints
        .slice(0, 3)
        .map((k) => k.runId)
        .join(", ")})`,
    );
  }
  const jobIds = new Map(own.filter((k) => k.key === TASK_KEYS.jobId).map((k) => [k.runId, k.value]));
  if (options.clearOnSuccess) {
    const kept = options.ran.filter((r) => jobIds.has(r.runId));
    if (kept.length > 0) {
      problems.push(
        `${kept.length} report(s) of this invocation still hold job_id; the api-server must run with state_store.clear_on_success = true (TIDEMARK__STATE_STORE__CLEAR_ON_SUCCESS=true)`,
      );
    }
  } else {
    const missing = options.ran.filter((r) => !jobIds.has(r.runId));
    const differing = options.ran.filter((r) => jobIds.has(r.runId) && jobIds.get(r.runId) !== r.jobId);
    if (missing.length > 0) {
      problems.push(
        `${missing.length} report(s) of this invocation hold no job_id; an api-server with state_store.clear_on_success = true cleared them (set TIDEMARK__STATE_STORE__CLEAR_ON_SUCCESS=true for the demo too)`,
      );
    }
    if (differing.length > 0) {
      problems.push(`${differing.length} job_id(s) differ from the job that made the report`);
    }
  }
  const ignored = others === 0 ? "" : `; ${others} other task state key(s), not the demo's, left alone`;
  const what = options.clearOnSuccess
    ? `clear_on_success left no job_id or checkpoint of the ${options.ran.length} delay report(s) of this invocation`
    : `each of the ${options.ran.length} delay report(s) of this invocation kept job_id = its external job, no checkpoint left`;
  return {
    name: options.clearOnSuccess ? "clear_on_success" : "delay_report task state",
    ok: problems.length === 0,
    detail: problems.length === 0 ? `${what}${ignored}` : `${problems.join("; ")}${ignored}`,
  };
}
