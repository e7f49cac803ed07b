import { createDagRun, createDatabase, migrate } from "@tidemark/core";
import BetterSqlite3 from "better-sqlite3";
import { BENCH_SCOPE, type KvSubject } from "./kv-subject.js";

/**
 * The same upsert as MetastoreBackend's, hand-written: resolve the dag run inside the statement, bump the
 * version (restart it at 1 when the old row had expired); the affected-row count (1) says it wrote.
 * (No RETURNING: better-sqlite3's `get()` on an INSERT … RETURNING resets the statement before it has
 * finished, and SQLite then never runs its WAL auto-checkpoint, so the WAL grows without bound.)
 */
export const RAW_SQLITE_UPSERT = `
insert into task_state_store
  (dag_run_id, dag_id, run_id, task_id, region_id, map_index, key, value, version, updated_at, expires_at)
select id, dag_id, run_id, ?, '00000000-0000-0000-0000-000000000000', ?, ?, ?, 1, ?, null from dag_run where dag_id = ? and run_id = ?
on conflict (dag_run_id, task_id, region_id, map_index, key) do update set
  value = excluded.value,
  version = case when task_state_store.expires_at is not null and task_state_store.expires_at <= ?
    then 1 else task_state_store.version + 1 end,
  updated_at = excluded.updated_at,
  expires_at = excluded.expires_at`;

/** The same read as MetastoreBackend's: a live key of the scope. */
export const RAW_SQLITE_SELECT = `
select value from task_state_store
where dag_run_id = (select id from dag_run where dag_id = ? and run_id = ?)
  and task_id = ? and region_id = '00000000-0000-0000-0000-000000000000' and map_index = ? and key = ? and (expires_at is null or expires_at > ?)`;

/**
 * The ceiling on SQLite: better-sqlite3 prepared statements on the real `task_state_store` table (made by
 * core's migrations), with the connection settings MetastoreBackend uses (WAL, synchronous=NORMAL,
 * foreign keys on). Calls are awaited like the others, so the loop around them costs the same.
 *
 * @param file - the database file (created and migrated here).
 * @returns the subject.
 */
export async function rawSqliteSubject(file: string): Promise<KvSubject> {
  const setup = createDatabase(`sqlite://${file}`);
  try {
    await migrate(setup);
    await createDagRun(setup, { dagId: BENCH_SCOPE.dagId, runId: BENCH_SCOPE.runId });
  } finally {
    await setup.close();
  }
  const db = new BetterSqlite3(file);
  db.pragma("busy_timeout = 5000");
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  const upsert = db.prepare(RAW_SQLITE_UPSERT);
  const select = db.prepare(RAW_SQLITE_SELECT).pluck();
  const { dagId, runId, taskId, mapIndex } = BENCH_SCOPE;
  return {
    name: "better-sqlite3 (raw)",
    role: "ceiling",
    async set(key, value) {
      const now = Date.now();
      const { changes } = upsert.run(taskId, mapIndex, key, JSON.stringify(value), now, dagId, runId, now);
      if (changes !== 1) throw new Error(`the raw upsert of ${key} wrote ${changes} rows`);
    },
    async get(key) {
      const text = select.get(dagId, runId, taskId, mapIndex, key, Date.now()) as string | undefined;
      return text === undefined ? undefined : JSON.parse(text);
    },
    async close() {
      db.close();
    },
  };
}
