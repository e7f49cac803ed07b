import { join } from "node:path";
import { createDatabase } from "@tidemark/core";
import type { BenchPlan } from "../bench-plan.js";
import type { MeasuredSection } from "../report/result-types.js";
import { withTempDir } from "../support/temp-dir.js";
import { measureBackendOps } from "./backend-ops-section.js";
import { keyvSqliteSubject } from "./keyv-subjects.js";
import type { KvSubject } from "./kv-subject.js";
import { metastoreSubject } from "./metastore-subject.js";
import { rawSqliteSubject } from "./raw-sqlite-subject.js";

/**
 * Backend ops on SQLite files (WAL): MetastoreBackend, better-sqlite3 raw (ceiling), Keyv +
 * @keyv/sqlite (peer), each on its own file in a temporary directory.
 *
 * @param plan - sizes.
 * @param log - progress lines.
 * @returns the section.
 */
export async function sqliteBackendSection(
  plan: BenchPlan,
  log: (line: string) => void,
): Promise<MeasuredSection> {
  return withTempDir("sqlite-ops", async (dir) => {
    const subjects: KvSubject[] = [];
    try {
      subjects.push(await metastoreSubject(createDatabase(`sqlite://${join(dir, "tidemark.db")}`)));
      subjects.push(await rawSqliteSubject(join(dir, "raw.db")));
      subjects.push(await keyvSqliteSubject(join(dir, "keyv.db")));
      return await measureBackendOps({
        id: "backend_sqlite",
        title: "Backend ops/s on SQLite (file, WAL)",
        plan,
        subjects,
        log,
      });
    } finally {
      for (const subject of subjects) await subject.close().catch(() => {});
    }
  });
}
