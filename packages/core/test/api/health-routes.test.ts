import { loadConfig } from "@tidemark/config";
import type { BaseStoreBackend } from "@tidemark/state";
import { tempDir } from "@tidemark/testkit/temp-dir";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { type ApiServer, createApiServer } from "../../src/api/create-api-server.js";
import { createDatabase } from "../../src/database/create-database.js";
import type { TidemarkDatabase } from "../../src/database/tidemark-database.js";
import { MetastoreBackend } from "../../src/metastore/metastore-backend.js";
import { migrate as migrateDatabase } from "../../src/migrations/migrate.js";
import { MIGRATION_NAMES } from "../../src/migrations/migration-list.js";
import { connectTestMysql } from "../support/mysql.js";
import { connectTestPostgres } from "../support/postgres.js";

const TOKEN = "health-test-token-0123456789";

/** A database for one test: its handle, a second handle on the same data (when the kind allows) and a disposer. */
interface Opened {
  readonly database: TidemarkDatabase;
  /** Opens another handle on the same database, or null where there is only one connection (PGlite). */
  readonly another: (() => TidemarkDatabase) | null;
  dispose(): Promise<void>;
}

const postgres = await connectTestPostgres();
afterAll(() => postgres.close());
const mysql = await connectTestMysql();
afterAll(() => mysql.close());

const KINDS: Record<string, (options: { migrate: boolean }) => Promise<Opened>> = {
  "a SQLite file": async ({ migrate }) => {
    const dir = tempDir("tidemark-health-");
    const url = `sqlite:///${dir.path}/tidemark.db`;
    const database = createDatabase(url);
    if (migrate) await migrateDatabase(database);
    return {
      database,
      another: () => createDatabase(url),
      async dispose() {
        await database.close();
        dir.remove();
      },
    };
  },
  [`Postgres (${postgres.kind})`]: async ({ migrate }) => {
    const schema = await postgres.freshSchema({ migrate });
    return {
      database: schema.database,
      another: postgres.kind === "postgres" ? () => postgres.openSchema(schema.schema) : null,
      dispose: () => schema.dispose(),
    };
  },
  ...(mysql.skipReason === null
    ? {
        MySQL: async ({ migrate }: { migrate: boolean }): Promise<Opened> => {
          const fresh = await mysql.freshDatabase({ migrate });
          return {
            database: fresh.database,
            another: () => mysql.openDatabase(fresh.name),
            dispose: () => fresh.dispose(),
          };
        },
      }
    : {}),
};

for (const [kind, open] of Object.entries(KINDS)) {
  describe(`health and readiness over HTTP on ${kind}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    /** A listening server under `api.auth = "token"`; the caller's database stays open for checks. */
    async function serve(
      opened: Opened,
      options: { migrate?: boolean; startupCheck?: boolean; backend?: BaseStoreBackend } = {},
    ): Promise<{ server: ApiServer; origin: string }> {
      const dir = tempDir("tidemark-health-cwd-");
      cleanups.push(async () => dir.remove());
      const config = loadConfig({
        cwd: dir.path,
        env: {},
        overrides: { api: { auth: "token", auth_tokens: [TOKEN] } },
      });
      const server = await createApiServer({
        config,
        cwd: dir.path,
        database: opened.database,
        logger: false,
        ...options,
      });
      cleanups.push(() => server.close());
      return { server, origin: await server.listen({ host: "127.0.0.1", port: 0 }) };
    }

    async function openDatabase(migrate = true): Promise<Opened> {
      const opened = await open({ migrate });
      cleanups.push(() => opened.dispose());
      return opened;
    }

    it("GET /execution/health answers Airflow's liveness body without a token or an API version", async () => {
      const { origin } = await serve(await openDatabase());
      const plain = await fetch(`${origin}/execution/health`);
      expect(plain.status).toBe(200);
      expect(await plain.json()).toEqual({ status: "healthy" });
      // A version older than every route still has the health route, as in Airflow.
      const old = await fetch(`${origin}/execution/health`, {
        headers: { "Airflow-API-Version": "2000-01-01" },
      });
      expect(old.status).toBe(200);
      expect(await old.json()).toEqual({ status: "healthy" });
      // The rest of the Execution API still needs a token.
      expect(
        (await fetch(`${origin}/execution/store/ti/00000000-0000-0000-0000-000000000000/k`)).status,
      ).toBe(401);
    });

    it("GET /api/v2/monitor/health answers Airflow's HealthInfoResponse without a token", async () => {
      const { origin } = await serve(await openDatabase());
      const answer = await fetch(`${origin}/api/v2/monitor/health`);
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({
        metadatabase: { status: "healthy" },
        scheduler: { status: "unhealthy", latest_scheduler_heartbeat: null },
        triggerer: { status: null, latest_triggerer_heartbeat: null },
        dag_processor: { status: null, latest_dag_processor_heartbeat: null },
      });
      expect((await fetch(`${origin}/api/v2/dags`)).status).toBe(401);
    });

    it("GET /api/v2/monitor/readiness is 200 ready when the metastore, backend and migrations are", async () => {
      const { origin, server } = await serve(await openDatabase());
      const answer = await fetch(`${origin}/api/v2/monitor/readiness`);
      expect(answer.status).toBe(200);
      expect(answer.headers.get("cache-control")).toBe("no-store");
      expect(await answer.json()).toEqual({
        status: "ready",
        components: {
          metastore: { status: "ok" },
          backend: { status: "ok", name: "MetastoreBackend" },
          migrations: { status: "ok" },
        },
      });
      expect(await server.readiness.check()).toMatchObject({ status: "ready" });
    });

    it("is 503 naming the pending migrations of an unmigrated metastore, and health stays 200", async () => {
      const { origin } = await serve(await openDatabase(false), { migrate: false, startupCheck: false });
      const answer = await fetch(`${origin}/api/v2/monitor/readiness`);
      expect(answer.status).toBe(503);
      const body = (await answer.json()) as {
        status: string;
        components: { metastore: unknown; migrations: { status: string; pending: string[]; reason: string } };
      };
      expect(body.status).toBe("not_ready");
      expect(body.components.metastore).toEqual({ status: "ok" });
      expect(body.components.migrations.status).toBe("failed");
      expect(body.components.migrations.pending).toEqual([...MIGRATION_NAMES]);
      for (const name of MIGRATION_NAMES) expect(body.components.migrations.reason).toContain(name);
      expect(body.components.migrations.reason).toContain('run "tidemark db migrate"');
      const health = await fetch(`${origin}/api/v2/monitor/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ metadatabase: { status: "healthy" } });
    });

    it("refuses to start on an unmigrated metastore without migrations, naming them", async () => {
      const opened = await openDatabase(false);
      const dir = tempDir("tidemark-health-cwd-");
      cleanups.push(async () => dir.remove());
      const starting = createApiServer({
        config: loadConfig({ cwd: dir.path, env: {} }),
        cwd: dir.path,
        database: opened.database,
        logger: false,
        migrate: false,
      });
      await expect(starting).rejects.toMatchObject({ code: "BACKEND_UNAVAILABLE" });
      await expect(starting).rejects.toThrow(
        new RegExp(`not ready to serve: migrations: .*${MIGRATION_NAMES.join(", ")}`),
      );
    });

    it("is 503 naming the backend when the server backend's store is gone, and refuses to start on it", async (t) => {
      const opened = await openDatabase();
      if (opened.another === null) t.skip("PGlite has a single connection: no second handle to close");
      const elsewhere = (opened.another as () => TidemarkDatabase)();
      const backend = new MetastoreBackend({ database: elsewhere });
      await backend.ping();
      await elsewhere.close();
      const { origin } = await serve(opened, { backend, startupCheck: false });
      const answer = await fetch(`${origin}/api/v2/monitor/readiness`);
      expect(answer.status).toBe(503);
      const body = (await answer.json()) as {
        components: { metastore: unknown; backend: { status: string; name: string; reason: string } };
      };
      expect(body.components.metastore).toEqual({ status: "ok" });
      expect(body.components.backend).toMatchObject({ status: "failed", name: "MetastoreBackend" });
      expect(body.components.backend.reason).toMatch(
        /the server backend MetastoreBackend is unavailable: .+; check/,
      );
      await expect(serve(opened, { backend })).rejects.toThrow(
        /not ready to serve: backend: the server backend MetastoreBackend is unavailable/,
      );
    });
  });
}
