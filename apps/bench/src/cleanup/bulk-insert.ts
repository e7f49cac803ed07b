import BetterSqlite3 from "better-sqlite3";
import mysql from "mysql2/promise";
import pg from "pg";

/** Where the expired rows go: the task and the value of every row. */
export interface ExpiredRows {
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  /** JSON text of every row. */
  readonly value: string;
  readonly count: number;
}

const SQLITE_CHUNK = 100_000;
/** Rows per multi-row INSERT on MySQL: about 400 KB of SQL, well under the default max_allowed_packet. */
const MYSQL_CHUNK = 10_000;

/**
 * Inserts `rows.count` task rows that expired an hour ago into a SQLite metastore: a recursive CTE per
 * 100,000 rows, each in its own transaction, on a separate connection; then a WAL checkpoint, so the
 * sweep starts from a settled file.
 *
 * @param file - the migrated database file (the dag run must exist).
 * @param rows - scope, value and count.
 */
export function insertExpiredRowsSqlite(file: string, rows: ExpiredRows): void {
  const db = new BetterSqlite3(file);
  try {
    db.pragma("busy_timeout = 5000");
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    const insert = db.prepare(`
      with recursive seq(n) as (select ? union all select n + 1 from seq where n < ?)
      insert into task_state_store
        (dag_run_id, dag_id, run_id, task_id, map_index, key, value, version, updated_at, expires_at)
      select (select id from dag_run where dag_id = ? and run_id = ?), ?, ?, ?, -1, 'key-' || n, ?, 1, ?, ?
      from seq`);
    const now = Date.now();
    const chunk = db.transaction((from: number, to: number) =>
      insert.run(
        from,
        to,
        rows.dagId,
        rows.runId,
        rows.dagId,
        rows.runId,
        rows.taskId,
        rows.value,
        now,
        now - 3_600_000,
      ),
    );
    for (let from = 1; from <= rows.count; from += SQLITE_CHUNK) {
      chunk(from, Math.min(rows.count, from + SQLITE_CHUNK - 1));
    }
    db.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
}

/**
 * Inserts `rows.count` task rows that expired an hour ago into a Postgres metastore with one
 * `generate_series` statement, then ANALYZE so the sweep's plan sees them.
 *
 * @param url - the server.
 * @param schema - the migrated schema (the dag run must exist).
 * @param rows - scope, value and count.
 */
export async function insertExpiredRowsPostgres(
  url: string,
  schema: string,
  rows: ExpiredRows,
): Promise<void> {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  client.on("error", () => {});
  await client.connect();
  try {
    await client.query(
      `insert into task_state_store
         (dag_run_id, dag_id, run_id, task_id, map_index, key, value, version, updated_at, expires_at)
       select (select id from dag_run where dag_id = $1 and run_id = $2), $1, $2, $3, -1, 'key-' || g, $4, 1,
         now(), now() - interval '1 hour'
       from generate_series(1, $5::int) g`,
      [rows.dagId, rows.runId, rows.taskId, rows.value, rows.count],
    );
    await client.query("analyze task_state_store");
  } finally {
    await client.end();
  }
}

/**
 * Reclaims the dead rows a sweep left on Postgres (VACUUM), so the next run starts from the same state.
 *
 * @param url - the server.
 * @param schema - the schema.
 */
export async function vacuumPostgres(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  client.on("error", () => {});
  await client.connect();
  try {
    await client.query("vacuum analyze task_state_store");
  } finally {
    await client.end();
  }
}

async function mysqlConnection(url: string): Promise<mysql.Connection> {
  const connection = await mysql.createConnection({ uri: url, charset: "utf8mb4", timezone: "Z" });
  connection.on("error", () => {});
  await connection.query("set session time_zone = '+00:00'");
  return connection;
}

/**
 * Inserts `rows.count` task rows that expired an hour ago into a MySQL metastore: multi-row INSERTs of
 * 10,000 rows each, whose columns other than the key are session variables set once (so each statement is
 * small and parsed quickly); then ANALYZE TABLE so the sweep's plan sees them.
 *
 * @param url - the migrated database (the dag run must exist).
 * @param rows - scope, value and count.
 */
export async function insertExpiredRowsMysql(url: string, rows: ExpiredRows): Promise<void> {
  const connection = await mysqlConnection(url);
  try {
    const now = new Date();
    await connection.query(
      `set @dag_run_id = (select id from dag_run where dag_id = ? and run_id = ?),
         @dag_id = ?, @run_id = ?, @task_id = ?, @value = ?, @updated_at = ?, @expires_at = ?`,
      [
        rows.dagId,
        rows.runId,
        rows.dagId,
        rows.runId,
        rows.taskId,
        rows.value,
        now,
        new Date(now.getTime() - 3_600_000),
      ],
    );
    for (let from = 1; from <= rows.count; from += MYSQL_CHUNK) {
      const to = Math.min(rows.count, from + MYSQL_CHUNK - 1);
      const tuples: string[] = [];
      for (let n = from; n <= to; n++) {
        tuples.push(
          `(@dag_run_id, @dag_id, @run_id, @task_id, -1, 'key-${n}', @value, 1, @updated_at, @expires_at)`,
        );
      }
      await connection.query(
        `insert into task_state_store
           (dag_run_id, dag_id, run_id, task_id, map_index, \`key\`, value, version, updated_at, expires_at)
         values ${tuples.join(",")}`,
      );
    }
    await connection.query("analyze table task_state_store");
  } finally {
    await connection.end();
  }
}

/**
 * Rebuilds the table after a sweep on MySQL (OPTIMIZE TABLE: InnoDB recreates and analyzes it), so the next
 * run starts from a compact table, as VACUUM does on Postgres.
 *
 * @param url - the database.
 */
export async function optimizeMysql(url: string): Promise<void> {
  const connection = await mysqlConnection(url);
  try {
    await connection.query("optimize table task_state_store");
  } finally {
    await connection.end();
  }
}
