import type { AirportRanking } from "./airport-stats.js";
import { DAG_ID, TASK_IDS, TASK_KEYS } from "./pipeline/flights-dag.js";
import type { StateInventory } from "./state-inventory.js";
import type { Check } from "./verification.js";

/** A delay report retry of this invocation. */
export interface RetryReport {
  readonly runId: string;
  readonly day: string;
  readonly taskId: string;
  readonly crashedTry: number;
  readonly error: string;
  readonly resumedTry: number;
  /** Pages the crashed try had checkpointed; the retry started after them. */
  readonly resumedAfterPages: number;
  readonly pages: number;
  readonly jobId: string;
  /** True when the retry re-attached to the job id found in task state. */
  readonly sameJob: boolean;
}

/** Everything the demo reports at the end, also written as JSON with `--report-json`. */
export interface DemoReport {
  readonly days: { readonly count: number; readonly first: string; readonly last: string };
  readonly runs: {
    /** Dag runs this invocation ran tasks of. */
    readonly ran: number;
    /** Dag runs an earlier invocation had finished. */
    readonly alreadySucceeded: number;
    /** The manual run triggered because every scheduled run was done, or null. */
    readonly catchUpRunId: string | null;
    /** Task instance tries this invocation ran. */
    readonly tries: number;
  };
  readonly ingested: {
    /** Flights this invocation loaded. */
    readonly thisInvocation: number;
    /** Rows in the warehouse. */
    readonly total: number;
    /** Flights in the file up to `through`. */
    readonly expected: number;
    /** The end of the last covered day. */
    readonly through: string;
  };
  readonly watermark: { readonly value: string | null; readonly version: number | null };
  readonly topAirports: readonly AirportRanking[];
  readonly minFlights: number;
  readonly state: StateInventory & {
    readonly clearOnSuccess: boolean;
    readonly thresholdBytes: number;
    readonly compression: string;
  };
  readonly retries: readonly RetryReport[];
  readonly checks: readonly Check[];
  readonly wallClockMs: number;
  readonly ok: boolean;
}

const n = (value: number) => value.toLocaleString("en-US");

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/**
 * The lines of the top airports table.
 *
 * @param top - the ranking.
 * @returns the table, header first.
 */
export function renderTopAirports(top: readonly AirportRanking[]): string[] {
  const lines = ["     #  airport  departures  avg delay  worst delay  routes"];
  top.forEach((t, i) => {
    lines.push(
      `    ${String(i + 1).padStart(2)}  ${t.airport.padEnd(7)}  ${n(t.flights).padStart(10)}  ${`${t.averageDelay.toFixed(1)} min`.padStart(9)}  ${`${n(t.worstDelay)} min`.padStart(11)}  ${String(t.routes).padStart(6)}`,
    );
  });
  return lines;
}

/**
 * Renders the final report as text.
 *
 * @param report - the report.
 * @returns lines, ending with a newline.
 */
export function renderReport(report: DemoReport): string {
  const out: string[] = [""];
  const { ingested, state } = report;
  out.push("Report");
  const nothingNew = ingested.thisInvocation === 0;
  out.push(
    `  Flights ingested  ${n(ingested.thisInvocation)} this invocation${nothingNew ? " (nothing new after the watermark)" : ""}; warehouse holds ${n(ingested.total)}, the file has ${n(ingested.expected)} up to ${ingested.through}`,
  );
  out.push(
    `  Watermark         ${report.watermark.value ?? "(none)"} (asset "flights", version ${report.watermark.version ?? "-"})`,
  );
  out.push(
    `  Top ${report.topAirports.length} airports by average departure delay (>= ${report.minFlights} departures), from asset state airport_stats:`,
  );
  out.push(...renderTopAirports(report.topAirports));
  const inlineBytes = sum(state.inline.map((e) => e.storedBytes));
  out.push(
    `  State keys        ${state.inline.length} inline (${n(inlineBytes)} bytes in the database), ${state.offloaded.length} offloaded (values >= ${n(state.thresholdBytes)} bytes, ${state.compression || "uncompressed"})`,
  );
  for (const e of state.offloaded) {
    out.push(
      `                    ${e.key}: ${n(e.storedBytes)}-byte envelope in the database; the ${n(e.valueBytes ?? 0)}-byte value is a ${e.objectBytesExact ? "" : "~"}${n(e.objectBytes ?? 0)}-byte object at ${e.ref}`,
    );
  }
  const jobIds = state.taskKeys.filter((k) => k.taskId === TASK_IDS.delayReport && k.key === TASK_KEYS.jobId);
  const others = state.taskStateRows - jobIds.length;
  out.push(
    `  Task state        ${state.taskStateRows} key(s) of ${DAG_ID}: ${jobIds.length} delay_report job_id (${state.clearOnSuccess ? "clear_on_success clears job_id and checkpoint when a report succeeds" : "kept after success, one per run; the checkpoint is deleted when the job is done"})${others > 0 ? `, ${others} other(s)` : ""}`,
  );
  if (report.retries.length === 0) out.push("  Retry             none in this invocation");
  for (const r of report.retries) {
    out.push(
      `  Retry             ${r.day} ${r.taskId}: try ${r.crashedTry} crashed after page ${r.resumedAfterPages}/${r.pages}; try ${r.resumedTry} resumed at page ${r.resumedAfterPages + 1}/${r.pages} from the task state checkpoint${r.sameJob ? `, re-attached to external job ${r.jobId}` : ""}`,
    );
  }
  out.push(`  Wall clock        ${(report.wallClockMs / 1000).toFixed(1)} s`);
  out.push("");
  out.push("Checks");
  for (const c of report.checks) out.push(`  ${c.ok ? "PASS" : "FAIL"}  ${c.name}: ${c.detail}`);
  const failed = report.checks.filter((c) => !c.ok).length;
  out.push(
    failed === 0
      ? `All ${report.checks.length} checks passed.`
      : `${failed} of ${report.checks.length} checks FAILED.`,
  );
  return `${out.join("\n")}\n`;
}
