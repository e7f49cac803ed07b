import { createDatabase, withDatabaseSchema } from "@tidemark/core";
import type { BenchPlan } from "../bench-plan.js";
import type { MeasuredSection } from "../report/result-types.js";
import { dropSchemas, throwawaySchemaName } from "../support/postgres-target.js";
import { measureBackendOps } from "./backend-ops-section.js";
import { keyvPostgresSubject } from "./keyv-subjects.js";
import type { KvSubject } from "./kv-subject.js";
import { metastoreSubject } from "./metastore-subject.js";
import { rawPostgresSubject } from "./raw-postgres-subject.js";

/**
 * Backend ops on Postgres: MetastoreBackend (its default pool), pg raw on one connection with named
 * prepared statements (ceiling), Keyv + @keyv/postgres (peer), each in its own throwaway schema, dropped
 * at the end.
 *
 * @param plan - sizes.
 * @param url - the server (reachable: probed before).
 * @param log - progress lines.
 * @returns the section.
 */
export async function postgresBackendSection(
  plan: BenchPlan,
  url: string,
  log: (line: string) => void,
): Promise<MeasuredSection> {
  const schemas = ["tidemark", "raw", "keyv"].map(throwawaySchemaName);
  const [tidemarkSchema, rawSchema, keyvSchema] = schemas as [string, string, string];
  const subjects: KvSubject[] = [];
  try {
    subjects.push(await metastoreSubject(createDatabase(withDatabaseSchema(url, tidemarkSchema))));
    subjects.push(await rawPostgresSubject(url, rawSchema));
    subjects.push(await keyvPostgresSubject(url, keyvSchema));
    return await measureBackendOps({
      id: "backend_postgres",
      title: "Backend ops/s on Postgres",
      plan,
      subjects,
      log,
    });
  } finally {
    for (const subject of subjects) await subject.close().catch(() => {});
    await dropSchemas(url, schemas);
  }
}
