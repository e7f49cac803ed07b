import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, type RawConfig, type TidemarkConfig } from "@tidemark/config";
import {
  type ApiServer,
  createApiServer,
  createDatabase,
  createTaskInstance,
  findTaskInstance,
  issueTaskToken,
  issueWatcherToken,
  MetastoreBackend,
  migrate,
  registerAsset,
  type TaskInstanceRecord,
  type TidemarkDatabase,
  withDatabaseSchema,
} from "@tidemark/core";
import { checkTestPostgres, TEST_POSTGRES_URL, testSchemaName } from "@tidemark/testkit/postgres";
import { ExecutionApiClient } from "../../src/index.js";

/** Which metastore a test server runs on. */
export type ServerDatabase = "sqlite" | "postgres";

/** A real api-server (createApiServer) on 127.0.0.1 port 0 with a throwaway metastore. */
export interface TidemarkServer {
  readonly server: ApiServer;
  /** `http://127.0.0.1:PORT/execution`. */
  readonly baseUrl: string;
  readonly database: TidemarkDatabase;
  readonly config: TidemarkConfig;
  readonly cwd: string;
  /** The server's MetastoreBackend, to read what the database rows hold. */
  readonly metastore: MetastoreBackend;
  /** Registers an asset (the uri defaults to the name). */
  asset(name: string, uri?: string): Promise<void>;
  /** Creates a task instance (and its dag run), or returns the existing one. */
  taskInstance(init?: {
    dagId?: string;
    runId?: string;
    taskId?: string;
    mapIndex?: number;
    regionId?: string;
    inlets?: string[];
    outlets?: string[];
  }): Promise<TaskInstanceRecord>;
  /** A task token. */
  token(tiId: string, options?: { ttlSeconds?: number; now?: Date }): Promise<string>;
  /** A client holding the task instance's token (fast retries for tests). */
  client(tiId: string): Promise<ExecutionApiClient>;
  /** A client holding a watcher token for the assets. */
  watcherClient(assets: { name?: string; uri?: string }[]): Promise<ExecutionApiClient>;
  close(): Promise<void>;
}

let sequence = 0;
let postgresProblem: string | null | undefined;

/**
 * Tells whether the test Postgres can be used. Unreachable with CI=true fails the run; elsewhere the
 * Postgres suites skip, saying why.
 *
 * @returns null when reachable, else the reason.
 * @throws Error when unreachable and CI=true.
 */
export async function postgresUnavailable(): Promise<string | null> {
  if (postgresProblem === undefined) {
    const database = createDatabase(TEST_POSTGRES_URL, { postgresConnectionTimeoutMs: 5000 });
    try {
      postgresProblem = await checkTestPostgres(async () => {
        await database.db.selectNoFrom((eb) => eb.val(1).as("one")).execute();
      }, database.displayUrl);
    } finally {
      await database.close();
    }
  }
  return postgresProblem;
}

/**
 * Starts a real api-server in-process on a fresh SQLite file or a fresh Postgres schema.
 *
 * @param options - the metastore and configuration over the defaults.
 */
export async function startTidemarkServer(
  options: { database?: ServerDatabase; config?: RawConfig } = {},
): Promise<TidemarkServer> {
  const cwd = mkdtempSync(join(tmpdir(), "tidemark-sdk-e2e-"));
  const schema = options.database === "postgres" ? testSchemaName("tidemark_sdk_") : undefined;
  const url =
    schema === undefined
      ? `sqlite://${join(cwd, "tidemark.db")}`
      : withDatabaseSchema(TEST_POSTGRES_URL, schema);
  const config = loadConfig({ cwd, env: {}, overrides: { ...options.config, database: { url } } });
  const database = createDatabase(url);
  await migrate(database);
  const server = await createApiServer({ config, database, cwd, logger: false, migrate: false });
  const origin = await server.listen({ host: "127.0.0.1", port: 0 });
  const key = server.secretKey.key;
  const metastore = new MetastoreBackend({ database });
  const clientWith = (token: string) =>
    new ExecutionApiClient({
      baseUrl: `${origin}/execution`,
      token,
      retry: { attempts: 3, initialDelayMs: 5, maxDelayMs: 20 },
    });
  return {
    server,
    baseUrl: `${origin}/execution`,
    database,
    config,
    cwd,
    metastore,
    async asset(name, uri) {
      await registerAsset(database, { name, ...(uri === undefined ? {} : { uri }) });
    },
    async taskInstance(init = {}) {
      const key = {
        dagId: init.dagId ?? "sdk_dag",
        runId: init.runId ?? `run_${++sequence}`,
        taskId: init.taskId ?? "task",
        mapIndex: init.mapIndex ?? -1,
        ...(init.regionId === undefined ? {} : { regionId: init.regionId }),
      };
      const existing = await findTaskInstance(database, key);
      if (existing !== null) return existing;
      return createTaskInstance(database, { ...key, inlets: init.inlets ?? [], outlets: init.outlets ?? [] });
    },
    token: (tiId, o = {}) => issueTaskToken({ key, taskInstanceId: tiId, ...o }),
    async client(tiId) {
      return clientWith(await issueTaskToken({ key, taskInstanceId: tiId }));
    },
    async watcherClient(assets) {
      return clientWith(await issueWatcherToken({ key, watcherId: "sdk-test-watcher", assets }));
    },
    async close() {
      await server.close();
      await metastore.close();
      if (schema !== undefined) await database.db.schema.dropSchema(schema).ifExists().cascade().execute();
      await database.close();
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}

/**
 * The metastores to run a suite on: SQLite always, Postgres when reachable. When it is not (and CI is
 * not set), registers a skipped placeholder test that states why.
 *
 * @param title - the suite's title, for the placeholder.
 */
export async function serverDatabases(title: string): Promise<ServerDatabase[]> {
  const problem = await postgresUnavailable();
  if (problem === null) return ["sqlite", "postgres"];
  const { describe, it } = await import("vitest");
  describe(`${title} (postgres)`, () => {
    it(`skipped: ${problem}`, (ctx) => ctx.skip(problem));
  });
  return ["sqlite"];
}
