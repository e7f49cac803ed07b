import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { Flight } from "./flights-data.js";

/** A flight as stored in the warehouse, with the row id the delay report pages by. */
export interface WarehouseFlight extends Flight {
  readonly rowId: number;
}

/** What one committed load did. */
export interface LoadResult {
  /** Rows inserted. */
  readonly inserted: number;
  /**
   * Rows of the same interval deleted first: more than 0 only when an earlier attempt committed its load
   * but died before advancing the watermark; the load replaces them, so nothing is counted twice.
   */
  readonly replaced: number;
}

/** The delay report of one run, as the "external job" leaves it. */
export interface DelayReportResult {
  readonly flights: number;
  /** Flights delayed by more than 15 minutes (the US DOT on-time definition). */
  readonly delayed: number;
  readonly totalDelay: number;
  readonly worstDelay: number | null;
}

/** An external job as recorded in the warehouse. */
export interface ExternalJob {
  readonly jobId: string;
  readonly runId: string;
  readonly status: "running" | "succeeded";
  readonly pages: number;
  /** How many times a try attached to the job (1 = submitted and finished by the same try). */
  readonly attachments: number;
  /** The first page a retry resumed at (0-based), or null when no try resumed. */
  readonly resumedAtPage: number | null;
  readonly result: DelayReportResult | null;
}

/** Counts used by the checks. */
export interface WarehouseCounts {
  readonly rows: number;
  readonly distinctFlights: number;
}

/**
 * The pipeline's local warehouse: its own SQLite file (better-sqlite3), apart from the metastore. Holds
 * the loaded flights, a ledger of loads, and the "external jobs" the delay report submits.
 */
export class Warehouse {
  /** The database file. */
  readonly path: string;
  readonly #db: Database.Database;

  /** @param path - the SQLite file; created with its directory when missing. */
  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.path = path;
    this.#db = new Database(path);
    this.#db.pragma("journal_mode = WAL");
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS flights (
        row_id INTEGER PRIMARY KEY AUTOINCREMENT,
        source_index INTEGER NOT NULL,
        departure TEXT NOT NULL,
        delay INTEGER NOT NULL,
        distance INTEGER NOT NULL,
        origin TEXT NOT NULL,
        destination TEXT NOT NULL,
        loaded_by_run TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS flights_departure ON flights (departure);
      CREATE INDEX IF NOT EXISTS flights_run ON flights (loaded_by_run, row_id);
      CREATE TABLE IF NOT EXISTS loads (
        run_id TEXT NOT NULL,
        try_number INTEGER NOT NULL,
        after TEXT NOT NULL,
        through TEXT NOT NULL,
        inserted INTEGER NOT NULL,
        replaced INTEGER NOT NULL,
        loaded_at TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS external_jobs (
        job_id TEXT PRIMARY KEY,
        run_id TEXT NOT NULL,
        status TEXT NOT NULL,
        pages INTEGER NOT NULL,
        attachments INTEGER NOT NULL,
        resumed_at_page INTEGER,
        result TEXT,
        submitted_at TEXT NOT NULL,
        finished_at TEXT
      );
    `);
  }

  /**
   * Loads the flights of the interval (after, through] in one transaction: deletes whatever the interval
   * already holds (an earlier attempt's committed load), inserts the flights, and records the load.
   *
   * @param load - the run, its try, the interval and its flights.
   * @returns rows inserted and replaced.
   */
  load(load: {
    runId: string;
    tryNumber: number;
    after: string;
    through: string;
    flights: readonly Flight[];
  }): LoadResult {
    const remove = this.#db.prepare("DELETE FROM flights WHERE departure > ? AND departure <= ?");
    const insert = this.#db.prepare(
      "INSERT INTO flights (source_index, departure, delay, distance, origin, destination, loaded_by_run) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    const ledger = this.#db.prepare(
      "INSERT INTO loads (run_id, try_number, after, through, inserted, replaced, loaded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    return this.#db.transaction((): LoadResult => {
      const replaced = remove.run(load.after, load.through).changes;
      for (const f of load.flights) {
        insert.run(f.index, f.departure, f.delay, f.distance, f.origin, f.destination, load.runId);
      }
      ledger.run(
        load.runId,
        load.tryNumber,
        load.after,
        load.through,
        load.flights.length,
        replaced,
        new Date().toISOString(),
      );
      return { inserted: load.flights.length, replaced };
    })();
  }

  /** How many flights a run loaded. */
  countLoadedBy(runId: string): number {
    const row = this.#db.prepare("SELECT count(*) AS n FROM flights WHERE loaded_by_run = ?").get(runId) as {
      n: number;
    };
    return row.n;
  }

  /**
   * One page of the flights a run loaded, in row order after a cursor (keyset paging).
   *
   * @param runId - the run.
   * @param afterRowId - the cursor: the last row id of the previous page (0 for the first page).
   * @param limit - page size.
   */
  pageLoadedBy(runId: string, afterRowId: number, limit: number): WarehouseFlight[] {
    const rows = this.#db
      .prepare(
        "SELECT row_id, source_index, departure, delay, distance, origin, destination FROM flights WHERE loaded_by_run = ? AND row_id > ? ORDER BY row_id LIMIT ?",
      )
      .all(runId, afterRowId, limit) as {
      row_id: number;
      source_index: number;
      departure: string;
      delay: number;
      distance: number;
      origin: string;
      destination: string;
    }[];
    return rows.map((r) => ({
      rowId: r.row_id,
      index: r.source_index,
      departure: r.departure,
      delay: r.delay,
      distance: r.distance,
      origin: r.origin,
      destination: r.destination,
    }));
  }

  /** The source indexes of every stored flight with departure <= through, in order (duplicates kept). */
  sourceIndexesThrough(through: string): number[] {
    return (
      this.#db
        .prepare("SELECT source_index FROM flights WHERE departure <= ? ORDER BY source_index")
        .all(through) as { source_index: number }[]
    ).map((r) => r.source_index);
  }

  /** Rows and distinct flights stored, in all. */
  counts(): WarehouseCounts {
    return this.#db
      .prepare("SELECT count(*) AS rows, count(DISTINCT source_index) AS distinctFlights FROM flights")
      .get() as WarehouseCounts;
  }

  /** Records a newly submitted external job. */
  submitJob(jobId: string, runId: string, pages: number): void {
    this.#db
      .prepare(
        "INSERT INTO external_jobs (job_id, run_id, status, pages, attachments, submitted_at) VALUES (?, ?, 'running', ?, 1, ?)",
      )
      .run(jobId, runId, pages, new Date().toISOString());
  }

  /**
   * A retry attaches to the job it finds in task state, instead of submitting another one.
   *
   * @returns the job, or null when it does not exist.
   */
  attachJob(jobId: string, resumedAtPage: number | null): ExternalJob | null {
    this.#db
      .prepare(
        "UPDATE external_jobs SET attachments = attachments + 1, resumed_at_page = coalesce(resumed_at_page, ?) WHERE job_id = ?",
      )
      .run(resumedAtPage, jobId);
    return this.job(jobId);
  }

  /** Marks a job done with its result. */
  finishJob(jobId: string, result: DelayReportResult): void {
    this.#db
      .prepare("UPDATE external_jobs SET status = 'succeeded', result = ?, finished_at = ? WHERE job_id = ?")
      .run(JSON.stringify(result), new Date().toISOString(), jobId);
  }

  /** A job by id, or null. */
  job(jobId: string): ExternalJob | null {
    const row = this.#db.prepare("SELECT * FROM external_jobs WHERE job_id = ?").get(jobId) as
      | JobRow
      | undefined;
    return row === undefined ? null : toJob(row);
  }

  /** The jobs of a run, oldest first. */
  jobsOf(runId: string): ExternalJob[] {
    return (
      this.#db
        .prepare("SELECT * FROM external_jobs WHERE run_id = ? ORDER BY submitted_at, job_id")
        .all(runId) as JobRow[]
    ).map(toJob);
  }

  /** Jobs a retry resumed, oldest first. */
  resumedJobs(): ExternalJob[] {
    return (
      this.#db
        .prepare(
          "SELECT * FROM external_jobs WHERE resumed_at_page IS NOT NULL ORDER BY submitted_at, job_id",
        )
        .all() as JobRow[]
    ).map(toJob);
  }

  /** Closes the database. */
  close(): void {
    this.#db.close();
  }
}

interface JobRow {
  job_id: string;
  run_id: string;
  status: string;
  pages: number;
  attachments: number;
  resumed_at_page: number | null;
  result: string | null;
}

function toJob(row: JobRow): ExternalJob {
  return {
    jobId: row.job_id,
    runId: row.run_id,
    status: row.status === "succeeded" ? "succeeded" : "running",
    pages: row.pages,
    attachments: row.attachments,
    resumedAtPage: row.resumed_at_page,
    result: row.result === null ? null : (JSON.parse(row.result) as DelayReportResult),
  };
}
