import { createDagRun, createDatabase, migrate } from "@tidemark/core";
import mysql from "mysql2/promise";
import { BENCH_SCOPE, type KvSubject } from "./kv-subject.js";

/**
 * MetastoreBackend's upsert, hand-written for MySQL (see `RAW_POSTGRES_UPSERT`): `ON DUPLICATE KEY UPDATE`
 * assigns left to right, so the version is computed while `expires_at` still holds the old value.
 */
export const RAW_MYSQL_UPSERT = `
insert into task_state_store
  (dag_run_id, dag_id, run_id, task_id, region_id, map_index, \`key\`, value, version, updated_at, expires_at)
select id, dag_id, run_id, ?, '00000000-0000-0000-0000-000000000000', ?, ?, ?, 1, ?, null from dag_run where dag_id = ? and run_id = ?
on duplicate key update
  version = if(task_state_store.expires_at is not null and task_state_store.expires_at <= ?, 1, task_state_store.version + 1),
  value = values(value),
  updated_at = values(updated_at),
  expires_at = values(expires_at)`;

/** MetastoreBackend's read, hand-written for MySQL. */
export const RAW_MYSQL_SELECT = `
select value from task_state_store
where dag_run_id = (select id from dag_run where dag_id = ? and run_id = ?)
  and task_id = ? and region_id = '00000000-0000-0000-0000-000000000000' and map_index = ? and \`key\` = ? and (expires_at is null or expires_at > ?)
limit 1`;

/**
 * The ceiling on MySQL: one `mysql2` connection with server-side prepared statements (`execute`, cached by
 * the connection) on the real `task_state_store` table, in a throwaway database migrated by core's
 * migrations. The session is set up as the metastore's: utf8mb4, UTC, strict SQL mode, affected rows
 * counting changed rows.
 *
 * @param url - the throwaway database (it exists and is empty; the caller drops it).
 * @returns the subject.
 */
export async function rawMysqlSubject(url: string): Promise<KvSubject> {
  const setup = createDatabase(url);
  try {
    await migrate(setup);
    await createDagRun(setup, { dagId: BENCH_SCOPE.dagId, runId: BENCH_SCOPE.runId });
  } finally {
    await setup.close();
  }
  const connection = await mysql.createConnection({
    uri: url,
    charset: "utf8mb4",
    timezone: "Z",
    flags: ["-FOUND_ROWS"],
  });
  connection.on("error", () => {});
  await connection.query(
    "set session sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', time_zone = '+00:00'",
  );
  const { dagId, runId, taskId, mapIndex } = BENCH_SCOPE;
  return {
    name: "mysql2 (raw)",
    role: "ceiling",
    async set(key, value) {
      const now = new Date();
      const [result] = await connection.execute<mysql.ResultSetHeader>(RAW_MYSQL_UPSERT, [
        taskId,
        mapIndex,
        key,
        JSON.stringify(value),
        now,
        dagId,
        runId,
        now,
      ]);
      // 1 for an insert, 2 for an update that changed the row.
      if (result.affectedRows < 1) throw new Error(`the raw upsert of ${key} wrote no row`);
    },
    async get(key) {
      const [rows] = await connection.execute<mysql.RowDataPacket[]>(RAW_MYSQL_SELECT, [
        dagId,
        runId,
        taskId,
        mapIndex,
        key,
        new Date(),
      ]);
      const text = rows[0]?.value as string | undefined;
      return text === undefined ? undefined : JSON.parse(text);
    },
    async close() {
      await connection.end();
    },
  };
}
