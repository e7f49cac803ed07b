import { createDagRun, createDatabase, migrate, withDatabaseSchema } from "@tidemark/core";
import pg from "pg";
import { BENCH_SCOPE, type KvSubject } from "./kv-subject.js";

/** MetastoreBackend's upsert, hand-written for Postgres (see `RAW_SQLITE_UPSERT`). */
export const RAW_POSTGRES_UPSERT = `
insert into task_state_store
  (dag_run_id, dag_id, run_id, task_id, region_id, map_index, key, value, version, updated_at, expires_at)
select id, dag_id, run_id, $1, '00000000-0000-0000-0000-000000000000', $2, $3, $4, 1, $5, null from dag_run where dag_id = $6 and run_id = $7
on conflict (dag_run_id, task_id, region_id, map_index, key) do update set
  value = excluded.value,
  version = case when task_state_store.expires_at is not null and task_state_store.expires_at <= $5
    then 1 else task_state_store.version + 1 end,
  updated_at = excluded.updated_at,
  expires_at = excluded.expires_at`;

/** MetastoreBackend's read, hand-written for Postgres. */
export const RAW_POSTGRES_SELECT = `
select value from task_state_store
where dag_run_id = (select id from dag_run where dag_id = $1 and run_id = $2)
  and task_id = $3 and region_id = '00000000-0000-0000-0000-000000000000' and map_index = $4 and key = $5 and (expires_at is null or expires_at > $6)`;

/**
 * The ceiling on Postgres: one `pg` connection with named (server-side prepared) statements on the real
 * `task_state_store` table, in a throwaway schema migrated by core's migrations.
 *
 * @param url - the server.
 * @param schema - the schema (created and migrated here; the caller drops it).
 * @returns the subject.
 */
export async function rawPostgresSubject(url: string, schema: string): Promise<KvSubject> {
  const setup = createDatabase(withDatabaseSchema(url, schema));
  try {
    await migrate(setup);
    await createDagRun(setup, { dagId: BENCH_SCOPE.dagId, runId: BENCH_SCOPE.runId });
  } finally {
    await setup.close();
  }
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  client.on("error", () => {});
  await client.connect();
  const { dagId, runId, taskId, mapIndex } = BENCH_SCOPE;
  return {
    name: "pg (raw)",
    role: "ceiling",
    async set(key, value) {
      const { rowCount } = await client.query({
        name: "bench_upsert",
        text: RAW_POSTGRES_UPSERT,
        values: [taskId, mapIndex, key, JSON.stringify(value), new Date(), dagId, runId],
      });
      if (rowCount !== 1) throw new Error(`the raw upsert of ${key} wrote ${rowCount} rows`);
    },
    async get(key) {
      const result = await client.query<{ value: string }>({
        name: "bench_select",
        text: RAW_POSTGRES_SELECT,
        values: [dagId, runId, taskId, mapIndex, key, new Date()],
      });
      const text = result.rows[0]?.value;
      return text === undefined ? undefined : JSON.parse(text);
    },
    async close() {
      await client.end();
    },
  };
}
