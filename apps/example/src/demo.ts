import { mkdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import type { TidemarkConfig } from "@tidemark/config";
import { createDatabase, migrate, redactDatabaseUrl, type TidemarkDatabase } from "@tidemark/core";
import {
  createStateStoreObjectStorageBackend,
  type ObjectStorageConfig,
  parseObjectStorageConfig,
} from "@tidemark/provider-common-io";
import { AssetStateStoreAccessor, ExecutionApiClient } from "@tidemark/task-sdk";
import { type AirportStats, DEFAULT_MIN_FLIGHTS, rankAirportsByAverageDelay } from "./airport-stats.js";
import { type ApiServerProcess, executionApiAnswers, startApiServerProcess } from "./api-server-process.js";
import type { DemoOptions } from "./cli-options.js";
import { databaseTag } from "./database-tag.js";
import { DEMO_HOME, loadDemoConfig, serverEnvironment } from "./demo-config.js";
import { calendarDays, dayOf, endOfDay, type FlightsDataset } from "./flights-data.js";
import {
  ASSET_KEYS,
  DAG_ID,
  FLIGHTS_ASSET,
  manualRunId,
  scheduledRunId,
  TASK_IDS,
} from "./pipeline/flights-dag.js";
import { createProgress, type Progress } from "./progress.js";
import type { DemoReport, RetryReport } from "./report.js";
import { type DagRunOutcome, type DagRunPlan, Scheduler } from "./scheduler.js";
import { takeStateInventory } from "./state-inventory.js";
import { openTaskLog } from "./task-log.js";
import { createTokenIssuer } from "./token-issuer.js";
import {
  type Check,
  checkAirportStats,
  checkDelayReportState,
  checkDelayReports,
  checkIngested,
  expectationThrough,
} from "./verification.js";
import { Warehouse } from "./warehouse.js";

/** Where the demo runs and writes. */
export interface DemoIo {
  /** The working directory: `.tidemark/` and relative paths live here. */
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Progress and report. */
  readonly stdout: NodeJS.WriteStream;
}

/**
 * With `--fail-once`: the delay report of the third selected day (or the first later one this invocation
 * runs fresh) crashes on its first try...
 */
export const FAIL_ONCE_DAY = 3;
/** ...after checkpointing this many pages. */
export const FAIL_ONCE_AFTER_PAGES = 2;

function warehousePath(cwd: string, config: TidemarkConfig, explicit: string | undefined): string {
  if (explicit !== undefined) return resolve(cwd, explicit);
  // One warehouse per metastore: switching database.url never mixes a warehouse with foreign state.
  return join(cwd, DEMO_HOME, `warehouse-${databaseTag(config.database.url)}.db`);
}

function executionBase(url: string): string {
  return url.replace(/\/+$/, "").replace(/\/execution$/, "");
}

function describeObjects(objects: ObjectStorageConfig): string {
  return `${objects.path} (${objects.compression || "uncompressed"}, values >= ${objects.threshold.toLocaleString("en-US")} bytes offloaded)`;
}

function runLine(outcome: DagRunOutcome): string {
  const { plan, ingest, delayReport } = outcome;
  if (ingest.status === "already_succeeded" && delayReport.status === "already_succeeded") {
    return `${plan.day}  ${plan.runId}: already succeeded in an earlier invocation`;
  }
  const parts: string[] = [];
  const load = ingest.result;
  if (ingest.status === "already_succeeded") parts.push("ingest_flights done earlier");
  else if (load !== undefined) {
    parts.push(
      load.loaded === 0
        ? `ingest_flights: nothing new after watermark ${load.after}`
        : `ingest_flights +${load.loaded} flights, watermark -> ${load.watermark}`,
    );
  }
  const report = delayReport.result;
  if (delayReport.status === "already_succeeded") parts.push("delay_report done earlier");
  else if (report !== undefined) {
    const avg = report.result.flights === 0 ? 0 : report.result.totalDelay / report.result.flights;
    parts.push(
      `delay_report ${report.pages} page(s), ${report.result.delayed} delayed >15 min, avg ${avg.toFixed(1)} min${delayReport.attempts.length > 1 ? ` (${delayReport.attempts.length} tries)` : ""}`,
    );
  }
  return `${plan.kind === "manual" ? plan.runId : plan.day}  ${parts.join(" | ")}`;
}

function notesOf(outcome: DagRunOutcome, progress: Progress): void {
  for (const task of [outcome.ingest, outcome.delayReport]) {
    if (task.recovered !== undefined) progress.note(`${outcome.plan.day} ${task.taskId}: ${task.recovered}`);
    for (const attempt of task.attempts) {
      if (attempt.state !== "success") {
        progress.note(`${outcome.plan.day} ${task.taskId} try ${attempt.tryNumber} failed: ${attempt.error}`);
      }
    }
  }
  const report = outcome.delayReport.result;
  const last = outcome.delayReport.attempts[outcome.delayReport.attempts.length - 1];
  if (report !== undefined && report.resumedAfterPages > 0 && last !== undefined) {
    progress.note(
      `${outcome.plan.day} delay_report try ${last.tryNumber} resumed at page ${report.resumedAfterPages + 1}/${report.pages} from the task state checkpoint (pages 1-${report.resumedAfterPages} not redone), re-attached to external job ${report.jobId}`,
    );
  }
}

function retriesOf(outcomes: readonly DagRunOutcome[]): RetryReport[] {
  const retries: RetryReport[] = [];
  for (const o of outcomes) {
    const attempts = o.delayReport.attempts;
    const crashed = attempts.find((a) => a.state === "up_for_retry");
    const last = attempts[attempts.length - 1];
    const result = o.delayReport.result;
    if (crashed === undefined || last === undefined || result === undefined) continue;
    retries.push({
      runId: o.plan.runId,
      day: o.plan.day,
      taskId: TASK_IDS.delayReport,
      crashedTry: crashed.tryNumber,
      error: crashed.error ?? "",
      resumedTry: last.tryNumber,
      resumedAfterPages: result.resumedAfterPages,
      pages: result.pages,
      jobId: result.jobId,
      sameJob: !result.submitted,
    });
  }
  return retries;
}

/**
 * Runs the flights demo end to end: configuration, metastore, object storage, api-server child, the dag
 * runs, then the verification and the report.
 *
 * @param options - the command-line options.
 * @param io - working directory, environment, output.
 * @param dataset - the loaded flights.
 * @returns the report (its `ok` tells whether every check passed).
 * @throws Error (DagRunFailedError when a task fails for good; configuration and infrastructure errors).
 */
export async function runDemo(
  options: DemoOptions,
  io: DemoIo,
  dataset: FlightsDataset,
): Promise<DemoReport> {
  const started = performance.now();
  const { cwd, env, stdout } = io;
  const config = loadDemoConfig({ cwd, env });
  // The provider owns the common_io section; parse it once for the backend and the report.
  const objects = parseObjectStorageConfig(config.common_io ?? {});
  const allDays = calendarDays(dataset.flights);
  const days = allDays.slice(0, options.days ?? allDays.length);
  const firstDay = days[0] as string;
  const lastDay = days[days.length - 1] as string;
  const home = join(cwd, DEMO_HOME);
  mkdirSync(home, { recursive: true });

  const cleanups: (() => Promise<void> | void)[] = [];
  try {
    const taskLog = openTaskLog(join(home, "logs", "flights-demo.log"), config.logging.level);
    cleanups.push(() => taskLog.close());
    const workerBackend = createStateStoreObjectStorageBackend(objects);
    cleanups.push(() => workerBackend.close());
    const database: TidemarkDatabase = createDatabase(config.database.url, { cwd });
    cleanups.push(() => database.close());
    await migrate(database);
    const warehouse = new Warehouse(warehousePath(cwd, config, options.warehouse));
    cleanups.push(() => warehouse.close());
    const tokens = createTokenIssuer(config, cwd);

    let server: ApiServerProcess | undefined;
    let apiUrl: string;
    const external = env.TIDEMARK_API_URL;
    if (external !== undefined && external !== "") {
      apiUrl = executionBase(external);
      if (!(await executionApiAnswers(apiUrl))) {
        throw new Error(
          `TIDEMARK_API_URL=${external}: no Execution API answers at ${apiUrl}/execution/openapi.json; start \`tidemark api-server\` or unset TIDEMARK_API_URL`,
        );
      }
    } else {
      server = await startApiServerProcess({
        cwd,
        env: { ...env, ...serverEnvironment(config) },
        logFile: join(home, "logs", "api-server.log"),
      });
      cleanups.push(() => server?.stop());
      apiUrl = server.url;
    }
    const executionApiUrl = `${apiUrl}/execution`;

    stdout.write(
      [
        `Tidemark flights demo: dag ${DAG_ID}, ${days.length} daily run(s) ${firstDay} .. ${lastDay}${options.failOnce ? ", --fail-once" : ""}`,
        `  data       vega-datasets ${dataset.version} data/flights-20k.json: ${dataset.flights.length.toLocaleString("en-US")} flights, SHA-1 ${dataset.sha1.slice(0, 12)} verified`,
        `  metastore  ${redactDatabaseUrl(config.database.url)}`,
        `  objects    ${describeObjects(objects)}`,
        `  api        ${executionApiUrl} (${server === undefined ? "TIDEMARK_API_URL" : `tidemark api-server, pid ${server.pid}`})`,
        `  warehouse  ${relative(cwd, warehouse.path) || warehouse.path}; task logs in ${relative(cwd, taskLog.path)}`,
        "",
      ].join("\n"),
    );

    const crashDay = days[Math.min(FAIL_ONCE_DAY, days.length) - 1] as string;
    const scheduler = new Scheduler({
      database,
      config,
      executionApiUrl,
      tokens,
      workerBackend,
      warehouse,
      flights: dataset.flights,
      taskLog: (bindings) => taskLog.logger(bindings),
      ...(options.failOnce ? { crash: { fromDay: crashDay, afterPages: FAIL_ONCE_AFTER_PAGES } } : {}),
    });
    await scheduler.prepare();

    const progress = createProgress(stdout);
    const outcomes: DagRunOutcome[] = [];
    let loadedSoFar = 0;
    progress.start(days.length);
    try {
      for (const day of days) {
        const plan: DagRunPlan = {
          runId: scheduledRunId(day),
          day,
          through: endOfDay(day),
          kind: "scheduled",
        };
        const outcome = await scheduler.runDagRun(plan);
        outcomes.push(outcome);
        loadedSoFar += outcome.ingest.result?.loaded ?? 0;
        notesOf(outcome, progress);
        progress.runFinished(runLine(outcome), { day, loaded: loadedSoFar });
      }
      let catchUpRunId: string | null = null;
      if (outcomes.every((o) => o.ingest.status === "already_succeeded")) {
        // Every scheduled run is done: trigger one manual run, whose ingest continues from the watermark.
        const plan: DagRunPlan = {
          runId: manualRunId(new Date()),
          day: lastDay,
          through: endOfDay(lastDay),
          kind: "manual",
        };
        catchUpRunId = plan.runId;
        progress.note(
          `every scheduled run up to ${lastDay} already succeeded; triggering ${plan.runId} to continue from the watermark`,
        );
        const outcome = await scheduler.runDagRun(plan);
        outcomes.push(outcome);
        notesOf(outcome, progress);
        progress.note(runLine(outcome));
      }
      progress.stop();

      // Verification: everything below reads the pipeline's state back and compares it with the file.
      const reader = new AssetStateStoreAccessor({
        client: new ExecutionApiClient({
          baseUrl: executionApiUrl,
          token: await tokens.watcherToken(FLIGHTS_ASSET.name),
        }),
        asset: { name: FLIGHTS_ASSET.name },
        backend: workerBackend,
      });
      const watermark = await reader.getEntry<string>(ASSET_KEYS.watermark);
      const stats = await reader.get<AirportStats>(ASSET_KEYS.airportStats);
      const coveredDay =
        watermark !== null && dayOf(watermark.value) > lastDay ? dayOf(watermark.value) : lastDay;
      const through = endOfDay(coveredDay);
      const expected = expectationThrough(dataset.flights, through);
      const stored = warehouse.sourceIndexesThrough(through);
      const inventory = await takeStateInventory({
        database,
        backend: workerBackend,
        assetName: FLIGHTS_ASSET.name,
        dagId: DAG_ID,
      });

      const checks: Check[] = [checkIngested(stored, warehouse.counts().rows, expected.flights)];
      checks.push({
        name: "watermark",
        ok: watermark?.value === expected.watermark,
        detail: `asset state ${watermark?.value ?? "(missing)"}, last departure in the file up to ${coveredDay}: ${expected.watermark}`,
      });
      checks.push(...checkAirportStats(stats, expected));
      const coveredDays = allDays.filter((d) => d <= coveredDay);
      checks.push(
        checkDelayReports(
          coveredDays.map((day) => {
            const jobs = warehouse.jobsOf(scheduledRunId(day)).filter((j) => j.status === "succeeded");
            return { day, result: jobs[jobs.length - 1]?.result ?? null };
          }),
          dataset.flights,
        ),
      );
      const retries = retriesOf(outcomes);
      if (options.failOnce) {
        const crashed = scheduler.crashedRunId;
        const retry = retries.find((r) => r.runId === crashed);
        if (crashed === undefined) {
          checks.push({
            name: "resume after crash",
            ok: true,
            detail: `not injected: every delay_report from ${crashDay} on had already succeeded in an earlier invocation`,
          });
        } else {
          checks.push({
            name: "resume after crash",
            ok:
              retry !== undefined &&
              retry.resumedAfterPages === FAIL_ONCE_AFTER_PAGES &&
              retry.sameJob &&
              retry.resumedTry === retry.crashedTry + 1,
            detail:
              retry === undefined
                ? `the delay_report of ${crashed} did not crash and retry`
                : `try ${retry.resumedTry} resumed after ${retry.resumedAfterPages} checkpointed page(s) of ${retry.pages} with ${retry.sameJob ? "the same" : "a new"} external job`,
          });
        }
      }
      const statsEntry = [...inventory.inline, ...inventory.offloaded].find(
        (e) => e.owner === `asset:${FLIGHTS_ASSET.name}` && e.key === ASSET_KEYS.airportStats,
      );
      const threshold = objects.threshold;
      const statsBytes = stats === undefined ? 0 : Buffer.byteLength(JSON.stringify(stats));
      const shouldOffload = statsBytes >= threshold;
      checks.push({
        name: "airport_stats offloaded",
        ok: statsEntry !== undefined && (statsEntry.ref !== undefined) === shouldOffload,
        detail:
          statsEntry?.ref !== undefined
            ? `the database row holds only a ${statsEntry.storedBytes}-byte envelope; the ${statsEntry.valueBytes}-byte value is in ${statsEntry.ref}`
            : `the database row holds the value inline (${statsEntry?.storedBytes ?? 0} bytes; threshold ${threshold})`,
      });
      checks.push(
        checkDelayReportState({
          clearOnSuccess: config.state_store.clear_on_success,
          ran: outcomes.flatMap((o) =>
            o.delayReport.status === "ran" && o.delayReport.result !== undefined
              ? [{ runId: o.plan.runId, jobId: o.delayReport.result.jobId }]
              : [],
          ),
          taskKeys: inventory.taskKeys,
        }),
      );

      const totalRows = warehouse.counts().rows;
      return {
        days: { count: days.length, first: firstDay, last: lastDay },
        runs: {
          ran: outcomes.filter((o) => o.ingest.status === "ran" || o.delayReport.status === "ran").length,
          alreadySucceeded: outcomes.filter(
            (o) => o.ingest.status === "already_succeeded" && o.delayReport.status === "already_succeeded",
          ).length,
          catchUpRunId,
          tries: outcomes.reduce((n, o) => n + o.ingest.attempts.length + o.delayReport.attempts.length, 0),
        },
        ingested: {
          thisInvocation: outcomes.reduce((n, o) => n + (o.ingest.result?.loaded ?? 0), 0),
          total: totalRows,
          expected: expected.flights.length,
          through,
        },
        watermark: { value: watermark?.value ?? null, version: watermark?.version ?? null },
        topAirports: stats === undefined ? [] : rankAirportsByAverageDelay(stats),
        minFlights: DEFAULT_MIN_FLIGHTS,
        state: {
          ...inventory,
          clearOnSuccess: config.state_store.clear_on_success,
          thresholdBytes: threshold,
          compression: objects.compression,
        },
        retries,
        checks,
        wallClockMs: performance.now() - started,
        ok: checks.every((c) => c.ok),
      };
    } finally {
      progress.stop();
    }
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}
