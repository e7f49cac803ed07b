import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { backendListSection } from "./backend-ops/list-section.js";
import { mysqlBackendSection } from "./backend-ops/mysql-backend-section.js";
import { postgresBackendSection } from "./backend-ops/postgres-backend-section.js";
import { sqliteBackendSection } from "./backend-ops/sqlite-backend-section.js";
import type { BenchPlan } from "./bench-plan.js";
import {
  mysqlCleanupSection,
  postgresCleanupSection,
  sqliteCleanupSection,
} from "./cleanup/cleanup-section.js";
import { endToEndSection } from "./end-to-end/end-to-end-section.js";
import { objectStorageSection } from "./object-storage/object-storage-section.js";
import { observabilitySection } from "./observability/observability-section.js";
import { figureLine } from "./report/format.js";
import { renderMarkdown } from "./report/render-markdown.js";
import { type BenchResults, SECTION_IDS, type SectionId, type SectionResult } from "./report/result-types.js";
import { loadAverage, machineInfo } from "./support/machine-info.js";
import { probeMysql } from "./support/mysql-target.js";
import { probePostgres } from "./support/postgres-target.js";

/** Options of {@link runBenchmarks}. */
export interface RunBenchmarksOptions {
  readonly plan: BenchPlan;
  /** Where the results files go. */
  readonly outDir: string;
  /** The Postgres server (the sections make and drop their own schemas). */
  readonly postgresUrl: string;
  /** The MySQL or MariaDB server (the sections make and drop their own databases). */
  readonly mysqlUrl: string;
  /** Only these sections (development); default all. */
  readonly only?: readonly SectionId[];
  /** The environment: `CI` makes an unreachable Postgres or MySQL a failure instead of a skip. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Progress and result lines. */
  readonly log: (line: string) => void;
}

/** What {@link runBenchmarks} wrote. */
export interface BenchRun {
  readonly results: BenchResults;
  readonly jsonPath: string;
  readonly markdownPath: string;
}

const TITLES: Record<SectionId, string> = {
  backend_sqlite: "Backend ops/s on SQLite (file, WAL)",
  backend_postgres: "Backend ops/s on Postgres",
  backend_mysql: "Backend ops/s on MySQL",
  backend_list: "Listing a task scope by offset and by cursor (SQLite file, WAL; Postgres)",
  end_to_end: "End to end through the Execution API (loopback HTTP)",
  observability: "Observability cost end to end: metrics and tracing on and off (loopback HTTP)",
  cleanup_sqlite: "Cleanup sweep on SQLite",
  cleanup_postgres: "Cleanup sweep on Postgres",
  cleanup_mysql: "Cleanup sweep on MySQL",
  object_storage: "Object storage (StateStoreObjectStorageBackend) on file://, s3rver and Azurite",
};

const USES_POSTGRES: ReadonlySet<SectionId> = new Set(["backend_postgres", "cleanup_postgres"]);

const USES_MYSQL: ReadonlySet<SectionId> = new Set(["backend_mysql", "cleanup_mysql"]);

/** Sections that measure Postgres beside SQLite: without Postgres they still run, and say so in a note. */
const ALSO_POSTGRES: ReadonlySet<SectionId> = new Set(["backend_list", "observability"]);

async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, path);
}

/**
 * Runs the benchmark sections in order, prints one line per figure as each section ends, and writes the
 * results as JSON and markdown: `latest.json` / `latest.md` for a full run of every section,
 * `quick.*` for `--quick`, `partial.*` when only some sections ran.
 *
 * Postgres: when it does not answer, its sections are reported as `skipped: <reason>` (a section that
 * measures it beside SQLite notes the reason instead), unless `CI` is set, where that is an error (CI
 * must measure, or fail, every section). MySQL likewise.
 *
 * @param options - plan, output directory, Postgres and MySQL URLs, section filter, environment, log.
 * @returns the results and where they were written.
 * @throws Error when a section fails, or Postgres or MySQL is unreachable with `CI` set.
 */
export async function runBenchmarks(options: RunBenchmarksOptions): Promise<BenchRun> {
  const { plan, postgresUrl, log } = options;
  const start = { date: new Date(), loadAverage: loadAverage() };
  const began = performance.now();
  const wanted = SECTION_IDS.filter((id) => options.only === undefined || options.only.includes(id));
  log(`tidemark bench (${plan.mode}): ${wanted.join(", ")}; load average ${start.loadAverage.join(", ")}`);

  let postgresSkip: string | null = null;
  if (wanted.some((id) => USES_POSTGRES.has(id) || ALSO_POSTGRES.has(id))) {
    postgresSkip = await probePostgres(postgresUrl);
    if (postgresSkip !== null && options.env.CI) {
      throw new Error(
        `${postgresSkip}; with CI set the Postgres sections must run (set TIDEMARK_BENCH_POSTGRES_URL)`,
      );
    }
  }

  let mysqlSkip: string | null = null;
  if (wanted.some((id) => USES_MYSQL.has(id))) {
    mysqlSkip = await probeMysql(options.mysqlUrl);
    if (mysqlSkip !== null && options.env.CI) {
      throw new Error(`${mysqlSkip}; with CI set the MySQL sections must run (set TIDEMARK_BENCH_MYSQL_URL)`);
    }
  }

  const sections: SectionResult[] = [];
  for (const id of wanted) {
    log(`\n== ${TITLES[id]}`);
    const skip = USES_POSTGRES.has(id) ? postgresSkip : USES_MYSQL.has(id) ? mysqlSkip : null;
    if (skip !== null) {
      log(`skipped: ${skip}`);
      sections.push({ id, title: TITLES[id], status: "skipped", reason: skip });
      continue;
    }
    const result = { ...(await runSection(id, options, postgresSkip)), loadAverageAfter: loadAverage() };
    for (const figure of result.figures) log(figureLine(id, figure));
    log(`load average after this section: ${result.loadAverageAfter.join(", ")}`);
    sections.push(result);
  }

  const results: BenchResults = {
    formatVersion: 1,
    mode: plan.mode,
    machine: machineInfo(start),
    durationMs: performance.now() - began,
    sections,
  };
  const base = wanted.length < SECTION_IDS.length ? "partial" : plan.mode === "quick" ? "quick" : "latest";
  await mkdir(options.outDir, { recursive: true });
  const jsonPath = join(options.outDir, `${base}.json`);
  const markdownPath = join(options.outDir, `${base}.md`);
  await writeAtomically(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
  await writeAtomically(markdownPath, renderMarkdown(results));
  log(
    `\nload average at the end ${results.machine.loadAverage.end.join(", ")}; wrote ${jsonPath} and ${markdownPath}`,
  );
  return { results, jsonPath, markdownPath };
}

function runSection(id: SectionId, options: RunBenchmarksOptions, postgresSkip: string | null) {
  const { plan, postgresUrl, mysqlUrl, log } = options;
  switch (id) {
    case "backend_sqlite":
      return sqliteBackendSection(plan, log);
    case "backend_postgres":
      return postgresBackendSection(plan, postgresUrl, log);
    case "backend_mysql":
      return mysqlBackendSection(plan, mysqlUrl, log);
    case "backend_list":
      return backendListSection(
        plan,
        postgresSkip === null ? { url: postgresUrl } : { skipped: postgresSkip },
        log,
      );
    case "end_to_end":
      return endToEndSection(plan, log);
    case "observability":
      return observabilitySection(
        plan,
        postgresSkip === null ? { url: postgresUrl } : { skipped: postgresSkip },
        log,
      );
    case "cleanup_sqlite":
      return sqliteCleanupSection(plan, log);
    case "cleanup_postgres":
      return postgresCleanupSection(plan, postgresUrl, log);
    case "cleanup_mysql":
      return mysqlCleanupSection(plan, mysqlUrl, log);
    case "object_storage":
      return objectStorageSection(plan, log);
  }
}
