import { assetScope, type TaskScope } from "@tidemark/state";
import { type StoreBackendFixture, storeBackendSuite } from "@tidemark/testkit";
import { tempDir } from "@tidemark/testkit/temp-dir";
import { afterAll, describe, expect, it } from "vitest";
import {
  createDatabase,
  createTaskInstance,
  findTaskInstance,
  MetastoreBackend,
  migrate,
  registerAsset,
  type TidemarkDatabase,
} from "../src/index.js";
import { connectTestMysql } from "./support/mysql.js";
import { connectTestPostgres } from "./support/postgres.js";

/** An open, migrated database and how to throw it away. */
interface Opened {
  readonly database: TidemarkDatabase;
  dispose(): Promise<void>;
}

/** The fixture of MetastoreBackend over a database made by `open`: a dag run and asset on demand. */
async function metastoreFixture(open: () => Promise<Opened>): Promise<StoreBackendFixture<MetastoreBackend>> {
  const { database, dispose } = await open();
  const backend = new MetastoreBackend({ database });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await dispose();
  };
  return {
    backend,
    async dispose() {
      await backend.close();
      await close();
    },
    async prepareTaskScope(scope: TaskScope) {
      if ((await findTaskInstance(database, scope)) === null) await createTaskInstance(database, scope);
      return scope;
    },
    async prepareAssetScope(asset, identity) {
      const record = await registerAsset(database, { name: asset.name, uri: asset.uri });
      if (identity === "assetId") return assetScope({ assetId: record.id });
      return identity === "name" ? assetScope({ name: record.name }) : assetScope({ uri: record.uri });
    },
    breakConnection: close,
  };
}

storeBackendSuite({
  name: "MetastoreBackend on a SQLite file",
  create: () =>
    metastoreFixture(async () => {
      const dir = tempDir("tidemark-core-");
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
});

storeBackendSuite({
  name: "MetastoreBackend on SQLite :memory:",
  create: () =>
    metastoreFixture(async () => {
      const database = createDatabase("sqlite::memory:");
      await migrate(database);
      return { database, dispose: () => database.close() };
    }),
});

const postgres = await connectTestPostgres();
afterAll(() => postgres.close());

storeBackendSuite({
  name: `MetastoreBackend on ${postgres.kind === "postgres" ? "Postgres" : "PGlite (Postgres unreachable)"}`,
  create: () =>
    metastoreFixture(async () => {
      const fresh = await postgres.freshSchema({ poolSize: 4 });
      return { database: fresh.database, dispose: () => fresh.dispose() };
    }),
});

const mysqlServer = await connectTestMysql();
afterAll(() => mysqlServer.close());

if (mysqlServer.skipReason === null) {
  storeBackendSuite({
    name: "MetastoreBackend on MySQL",
    create: () =>
      metastoreFixture(async () => {
        const fresh = await mysqlServer.freshDatabase({ poolSize: 4 });
        return { database: fresh.database, dispose: () => fresh.dispose() };
      }),
  });
} else {
  describe.skipIf(true)(`MetastoreBackend on MySQL (skipped: ${mysqlServer.skipReason})`, () => {
    it("runs the conformance suite", () => {
      expect(mysqlServer.skipReason).toBeNull();
    });
  });
}
