import { join } from "node:path";
import {
  createDagRun,
  createDatabase,
  DEFAULT_CLEANUP_BATCH_SIZE,
  MetastoreBackend,
  migrate,
  withDatabaseSchema,
} from "@tidemark/core";
import type { BenchPlan } from "../bench-plan.js";
import { compareFigures } from "../report/compare.js";
import type { MeasuredSection, SectionId } from "../report/result-types.js";
import { toStat } from "../report/stat.js";
import { cleanupTarget } from "../report/targets.js";
import { jsonObjectOfBytes } from "../support/json-values.js";
import { dropSchemas, throwawaySchemaName } from "../support/postgres-target.js";
import { withTempDir } from "../support/temp-dir.js";
import {
  type ExpiredRows,
  insertExpiredRowsPostgres,
  insertExpiredRowsSqlite,
  vacuumPostgres,
} from "./bulk-insert.js";
import { type ConcurrentWriter, startConcurrentWriter } from "./concurrent-writer.js";

const DAG = { dagId: "bench_cleanup", runId: "bench_cleanup_run" };

interface SweepRun {
  readonly rowsPerSecond: number;
  readonly durationMs: number;
  readonly maxWriterWaitMs: number;
  readonly writerP99Ms: number;
  readonly writes: number;
}

/** How one database is prepared for a sweep: its URL, and how to fill it and reset it between runs. */
interface CleanupTarget {
  readonly url: string;
  fill(rows: ExpiredRows): Promise<void>;
  afterSweep(): Promise<void>;
}

async function sweepOnce(
  target: CleanupTarget,
  rows: ExpiredRows,
  writer: ConcurrentWriter,
): Promise<SweepRun> {
  await target.fill(rows);
  const database = createDatabase(target.url);
  const backend = new MetastoreBackend({ database });
  try {
    writer.measure();
    const started = performance.now();
    const report = await backend.cleanup();
    const durationMs = performance.now() - started;
    const waits = await writer.report();
    const deleted = Number(report.deleted.task_state_store ?? 0);
    if (deleted !== rows.count) throw new Error(`the sweep deleted ${deleted} rows, expected ${rows.count}`);
    return {
      rowsPerSecond: (deleted * 1000) / durationMs,
      durationMs,
      maxWriterWaitMs: waits.maxMs,
      writerP99Ms: waits.p99Ms,
      writes: waits.count,
    };
  } finally {
    await backend.close();
    await database.close();
    await target.afterSweep();
  }
}

async function measureCleanup(
  id: SectionId,
  title: string,
  plan: BenchPlan,
  target: CleanupTarget,
  log: (line: string) => void,
): Promise<MeasuredSection> {
  const started = performance.now();
  const setup = createDatabase(target.url);
  try {
    await migrate(setup);
    await createDagRun(setup, DAG);
  } finally {
    await setup.close();
  }
  const value = JSON.stringify(jsonObjectOfBytes(plan.valueBytes));
  const rows: ExpiredRows = { ...DAG, taskId: "expired", value, count: plan.cleanupRows };
  const runs: SweepRun[] = [];
  const writer = await startConcurrentWriter({ url: target.url, ...DAG, taskId: "writer", value });
  try {
    for (let run = 0; run < plan.cleanupRuns; run++) {
      const result = await sweepOnce(target, rows, writer);
      log(
        `  run ${run + 1}: ${Math.round(result.rowsPerSecond)} rows/s, sweep ${Math.round(result.durationMs)} ms, ` +
          `writer max ${result.maxWriterWaitMs.toFixed(1)} ms over ${result.writes} sets`,
      );
      runs.push(result);
    }
  } finally {
    await writer.stop();
  }
  const figures = compareFigures(
    [
      {
        operation: `sweep ${plan.cleanupRows.toLocaleString("en-US")} expired rows`,
        subject: "MetastoreBackend.cleanup()",
        role: "subject",
        primary: "throughput",
        metrics: {
          throughput: toStat(
            runs.map((r) => r.rowsPerSecond),
            "rows/s",
          ),
          duration: toStat(
            runs.map((r) => r.durationMs / 1000),
            "s",
          ),
          maxWriterWait: toStat(
            runs.map((r) => r.maxWriterWaitMs),
            "ms",
          ),
          writerP99: toStat(
            runs.map((r) => r.writerP99Ms),
            "ms",
          ),
          writes: toStat(
            runs.map((r) => r.writes),
            "sets",
          ),
        },
      },
    ],
    cleanupTarget,
  );
  return {
    id,
    title,
    status: "ok",
    notes: [
      `${plan.cleanupRows.toLocaleString("en-US")} task rows (${plan.valueBytes}-byte values) that expired an hour ago, bulk-inserted with raw SQL before each run; the sweep is MetastoreBackend.cleanup() with the default batch size (${DEFAULT_CLEANUP_BATCH_SIZE.toLocaleString("en-US")} rows per statement); median of ${plan.cleanupRuns} runs.`,
      "During the sweep a second thread with its own connection calls MetastoreBackend.set in a loop (one call at a time); 'max writer wait' is its slowest call, and the target is judged on the worst run.",
    ],
    columns: [
      { metric: "throughput", heading: "rows/s" },
      { metric: "duration", heading: "sweep s" },
      { metric: "maxWriterWait", heading: "max writer wait ms" },
      { metric: "writerP99", heading: "writer p99 ms" },
      { metric: "writes", heading: "writer sets" },
    ],
    figures,
    durationMs: performance.now() - started,
  };
}

/**
 * Cleanup on a SQLite file: sweep rate and the longest wait of a concurrent writer.
 *
 * @param plan - sizes.
 * @param log - progress lines.
 * @returns the section.
 */
export async function sqliteCleanupSection(
  plan: BenchPlan,
  log: (line: string) => void,
): Promise<MeasuredSection> {
  return withTempDir("sqlite-cleanup", async (dir) => {
    const file = join(dir, "tidemark.db");
    return measureCleanup(
      "cleanup_sqlite",
      "Cleanup sweep on SQLite",
      plan,
      {
        url: `sqlite://${file}`,
        fill: async (rows) => insertExpiredRowsSqlite(file, rows),
        afterSweep: async () => {},
      },
      log,
    );
  });
}

/**
 * Cleanup on Postgres, in a throwaway schema (dropped at the end).
 *
 * @param plan - sizes.
 * @param url - the server (reachable: probed before).
 * @param log - progress lines.
 * @returns the section.
 */
export async function postgresCleanupSection(
  plan: BenchPlan,
  url: string,
  log: (line: string) => void,
): Promise<MeasuredSection> {
  const schema = throwawaySchemaName("cleanup");
  try {
    return await measureCleanup(
      "cleanup_postgres",
      "Cleanup sweep on Postgres",
      plan,
      {
        url: withDatabaseSchema(url, schema),
        fill: (rows) => insertExpiredRowsPostgres(url, schema, rows),
        afterSweep: () => vacuumPostgres(url, schema),
      },
      log,
    );
  } finally {
    await dropSchemas(url, [schema]);
  }
}
