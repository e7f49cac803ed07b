import { createDatabase } from "@tidemark/core";
import type { BenchPlan } from "../bench-plan.js";
import type { MeasuredSection } from "../report/result-types.js";
import {
  createDatabases,
  dropDatabases,
  throwawayDatabaseName,
  withMysqlDatabase,
} from "../support/mysql-target.js";
import { measureBackendOps } from "./backend-ops-section.js";
import { keyvMysqlSubject } from "./keyv-subjects.js";
import type { KvSubject } from "./kv-subject.js";
import { metastoreSubject } from "./metastore-subject.js";
import { rawMysqlSubject } from "./raw-mysql-subject.js";

/**
 * Backend ops on MySQL / MariaDB: MetastoreBackend (its default pool), mysql2 raw on one connection with
 * server-side prepared statements (ceiling), Keyv + @keyv/mysql (peer), each in its own throwaway
 * database, dropped at the end.
 *
 * @param plan - sizes.
 * @param url - the server (reachable: probed before).
 * @param log - progress lines.
 * @returns the section.
 */
export async function mysqlBackendSection(
  plan: BenchPlan,
  url: string,
  log: (line: string) => void,
): Promise<MeasuredSection> {
  const databases = ["tidemark", "raw", "keyv"].map(throwawayDatabaseName);
  const [tidemarkDatabase, rawDatabase, keyvDatabase] = databases as [string, string, string];
  const subjects: KvSubject[] = [];
  try {
    await createDatabases(url, databases);
    subjects.push(await metastoreSubject(createDatabase(withMysqlDatabase(url, tidemarkDatabase))));
    subjects.push(await rawMysqlSubject(withMysqlDatabase(url, rawDatabase)));
    subjects.push(await keyvMysqlSubject(withMysqlDatabase(url, keyvDatabase)));
    return await measureBackendOps({
      id: "backend_mysql",
      title: "Backend ops/s on MySQL",
      plan,
      subjects,
      log,
    });
  } finally {
    for (const subject of subjects) await subject.close().catch(() => {});
    await dropDatabases(url, databases);
  }
}
