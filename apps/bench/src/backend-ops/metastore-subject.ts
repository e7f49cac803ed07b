import { createDagRun, MetastoreBackend, migrate, type TidemarkDatabase } from "@tidemark/core";
import { taskScope } from "@tidemark/state";
import { BENCH_SCOPE, type KvSubject } from "./kv-subject.js";

/**
 * MetastoreBackend on an open metastore (migrated here, with the benchmark's dag run created), used as
 * the API layer uses it: JSON text in, JSON text out.
 *
 * @param database - the metastore (SQLite, Postgres or MySQL); closed by `close()`.
 * @returns the subject.
 */
export async function metastoreSubject(database: TidemarkDatabase): Promise<KvSubject> {
  await migrate(database);
  await createDagRun(database, { dagId: BENCH_SCOPE.dagId, runId: BENCH_SCOPE.runId });
  const backend = new MetastoreBackend({ database });
  const scope = taskScope(BENCH_SCOPE);
  return {
    name: "MetastoreBackend",
    role: "subject",
    async set(key, value) {
      await backend.set(scope, key, JSON.stringify(value));
    },
    async get(key) {
      const text = await backend.get(scope, key);
      return text === null ? undefined : JSON.parse(text);
    },
    async close() {
      await backend.close();
      await database.close();
    },
  };
}
