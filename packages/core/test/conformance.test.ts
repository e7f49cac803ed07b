import { runStoreBackendConformance } from "@tidemark/testkit";
import { afterAll } from "vitest";
import { createDatabase, migrate } from "../src/index.js";
import { metastoreConformanceHarness } from "./support/metastore-harness.js";
import { connectTestPostgres } from "./support/postgres.js";
import { tempDir } from "./support/temp-dir.js";

runStoreBackendConformance(
  "MetastoreBackend on a SQLite file",
  metastoreConformanceHarness(async () => {
    const dir = tempDir();
    const database = createDatabase(`sqlite:///${dir.path}/tidemark.db`);
    await migrate(database);
    return {
      database,
      async dispose() {
        await database.close();
        dir.remove();
      },
    };
  }),
);

runStoreBackendConformance(
  "MetastoreBackend on SQLite :memory:",
  metastoreConformanceHarness(async () => {
    const database = createDatabase("sqlite::memory:");
    await migrate(database);
    return { database, dispose: () => database.close() };
  }),
);

const postgres = await connectTestPostgres();
afterAll(() => postgres.close());

runStoreBackendConformance(
  `MetastoreBackend on ${postgres.kind === "postgres" ? "Postgres" : "PGlite (Postgres unreachable)"}`,
  metastoreConformanceHarness(async () => {
    const fresh = await postgres.freshSchema({ poolSize: 4 });
    return { database: fresh.database, dispose: () => fresh.dispose() };
  }),
);
