import { join } from "node:path";
import {
  createDagRun,
  createDatabase,
  DEFAULT_CLEANUP_BATCH_SIZE,
  MetastoreBackend,
  migrate,
  withDatabaseSchema,
} from "@tidemark/core";
import { taskScope } from "@tidemark/state";
import type { BenchPlan } from "../bench-plan.js";
import { compareFigures } from "../report/compare.js";
import type { MeasuredSection, SectionId } from "../report/result-types.js";
import { toStat } from "../report/stat.js";
import { cleanupTarget } from "../report/targets.js";
import { jsonObjectOfBytes } from "../support/json-values.js";
import {
  createDatabases,
  dropDatabases,
  throwawayDatabaseName,
  withMysqlDatabase,
} from "../support/mysql-target.js";
import { dropSchemas, throwawaySchemaName } from "../support/postgres-target.js";
import { withTempDir } from "../support/temp-dir.js";
import {
  type ExpiredRows,
  insertExpiredRowsMysql,
  insertExpiredRowsPostgres,
  insertExpiredRowsSqlite,
  optimizeMysql,
  vacuumPostgres,
} from "./bulk-insert.js";
import { type ConcurrentWriter, startThreadWriter } from "./concurrent-writer.js";
import { startInProcessWriter } from "./in-process-writer.js";

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

/** Where the concurrent writer runs: its own thread and connection, or on the sweep's backend. */
type WriterPlacement = "second connection" | "same connection";

const WRITER_PLACEMENTS: readonly WriterPlacement[] = ["second connection", "same connection"];

async function sweepOnce(
  target: CleanupTarget,
  rows: ExpiredRows,
  placement: WriterPlacement,
  threadWriter: ConcurrentWriter,
): Promise<SweepRun> {
  await target.fill(rows);
  const database = createDatabase(target.url);
  const backend = new MetastoreBackend({ database });
  const writer =
    placement === "second connection"
      ? threadWriter
      : startInProcessWriter(backend, taskScope({ ...DAG, taskId: "writer" }), rows.value);
  try {
    // Let the writer settle into its loop before the window opens.
    await new Promise((resolve) => setTimeout(resolve, 50));
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
    if (writer !== threadWriter) await writer.stop().catch(() => {});
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
  const runs = new Map<WriterPlacement, SweepRun[]>(WRITER_PLACEMENTS.map((p) => [p, []]));
  const threadWriter = await startThreadWriter({ url: target.url, ...DAG, taskId: "writer", value });
  try {
    for (let run = 0; run < plan.cleanupRuns; run++) {
      for (const placement of WRITER_PLACEMENTS) {
        const result = await sweepOnce(target, rows, placement, threadWriter);
        log(
          `  run ${run + 1}, writer on the ${placement}: ${Math.round(result.rowsPerSecond)} rows/s, sweep ${Math.round(result.durationMs)} ms, ` +
            `writer max ${result.maxWriterWaitMs.toFixed(1)} ms over ${result.writes} sets`,
        );
        runs.get(placement)!.push(result);
      }
    }
  } finally {
    await threadWriter.stop();
  }
  const figures = compareFigures(
    WRITER_PLACEMENTS.map((placement) => {
      const results = runs.get(placement)!;
      return {
        operation: `sweep ${plan.cleanupRows.toLocaleString("en-US")} expired rows`,
        subject: `MetastoreBackend.cleanup(), writer on the ${placement}`,
        role: "subject" as const,
        primary: "throughput",
        metrics: {
          throughput: toStat(
            results.map((r) => r.rowsPerSecond),
            "rows/s",
          ),
          duration: toStat(
            results.map((r) => r.durationMs / 1000),
            "s",
          ),
          maxWriterWait: toStat(
            results.map((r) => r.maxWriterWaitMs),
            "ms",
          ),
          writerP99: toStat(
            results.map((r) => r.writerP99Ms),
            "ms",
          ),
          writes: toStat(
            results.map((r) => r.writes),
            "sets",
          ),
        },
      };
    }),
    cleanupTarget,
  );
  return {
    id,
    title,
    status: "ok",
    notes: [
      `${plan.cleanupRows.toLocaleString("en-US")} task rows (${plan.valueBytes}-byte values) that expired an hour ago, bulk-inserted with raw SQL before each run; the sweep is MetastoreBackend.cleanup() with the default batch size (${DEFAULT_CLEANUP_BATCH_SIZE.toLocaleString("en-US")} rows per statement); median of ${plan.cleanupRuns} runs.`,
      "During the sweep a writer calls MetastoreBackend.set in a loop, one call at a time, either on a second connection (its own thread and MetastoreBackend, as another process writing while `tidemark state-store clean` sweeps) or on the sweep's own backend in the same thread (as the API server writing while its scheduled cleanup sweeps). 'Max writer wait' is its slowest call within the sweep; the target is judged on the worst run.",
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

/**
 * Cleanup on MySQL / MariaDB, in a throwaway database (dropped at the end). The sweep deletes
 * `DELETE … WHERE expires_at <= now LIMIT n` batches under the metastore's named lock.
 *
 * @param plan - sizes.
 * @param url - the server (reachable: probed before).
 * @param log - progress lines.
 * @returns the section.
 */
export async function mysqlCleanupSection(
  plan: BenchPlan,
  url: string,
  log: (line: string) => void,
): Promise<MeasuredSection> {
  const name = throwawayDatabaseName("cleanup");
  const database = withMysqlDatabase(url, name);
  try {
    await createDatabases(url, [name]);
    return await measureCleanup(
      "cleanup_mysql",
      "Cleanup sweep on MySQL",
      plan,
      {
        url: database,
        fill: (rows) => insertExpiredRowsMysql(database, rows),
        afterSweep: () => optimizeMysql(database),
      },
      log,
    );
  } finally {
    await dropDatabases(url, [name]);
  }
}
