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
import { checkTestMysql, TEST_MYSQL_URL, testMysqlDatabaseUrl } from "@tidemark/testkit/mysql";
import { checkTestPostgres, TEST_POSTGRES_URL, testSchemaName } from "@tidemark/testkit/postgres";
import { ExecutionApiClient } from "../../src/index.js";

/** Which metastore a test server runs on. */
export type ServerDatabase = "sqlite" | "postgres" | "mysql";

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

let mysqlProblem: string | null | undefined;

/**
 * Tells whether the test MySQL can be used, as {@link postgresUnavailable} does for Postgres.
 *
 * @returns null when reachable, else the reason.
 * @throws Error when unreachable and CI=true.
 */
export async function mysqlUnavailable(): Promise<string | null> {
  if (mysqlProblem === undefined) {
    const database = createDatabase(TEST_MYSQL_URL, { connectionTimeoutMs: 5000 });
    try {
      mysqlProblem = await checkTestMysql(async () => {
        await database.db.selectNoFrom((eb) => eb.val(1).as("one")).execute();
      }, database.displayUrl);
    } finally {
      await database.close();
    }
  }
  return mysqlProblem;
}

/** On the test MySQL server, a fresh database; returns its URL. */
export async function createMysqlDatabase(name: string): Promise<string> {
  const admin = createDatabase(TEST_MYSQL_URL);
  try {
    // A MySQL schema is a database; the metastore's tables choose their own character set.
    await admin.db.schema.createSchema(name).execute();
  } finally {
    await admin.close();
  }
  return testMysqlDatabaseUrl(name);
}

/** Drops a database {@link createMysqlDatabase} made. */
export async function dropMysqlDatabase(name: string): Promise<void> {
  const admin = createDatabase(TEST_MYSQL_URL);
  try {
    await admin.db.schema.dropSchema(name).ifExists().execute();
  } finally {
    await admin.close();
  }
}

/**
 * Starts a real api-server in-process on a fresh SQLite file, Postgres schema or MySQL database.
 *
 * @param options - the metastore and configuration over the defaults.
 */
export async function startTidemarkServer(
  options: { database?: ServerDatabase; config?: RawConfig } = {},
): Promise<TidemarkServer> {
  const cwd = mkdtempSync(join(tmpdir(), "tidemark-sdk-e2e-"));
  const kind = options.database ?? "sqlite";
  const schema = kind === "sqlite" ? undefined : testSchemaName("tidemark_sdk_");
  let url = `sqlite://${join(cwd, "tidemark.db")}`;
  if (kind === "postgres") url = withDatabaseSchema(TEST_POSTGRES_URL, schema as string);
  if (kind === "mysql") url = await createMysqlDatabase(schema as string);
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
      if (kind === "postgres")
        await database.db.schema
          .dropSchema(schema as string)
          .ifExists()
          .cascade()
          .execute();
      await database.close();
      if (kind === "mysql") await dropMysqlDatabase(schema as string);
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}

/**
 * The metastores to run a suite on: SQLite always, Postgres and MySQL when reachable. For one that is not
 * (and CI is not set), registers a skipped placeholder test that states why.
 *
 * @param title - the suite's title, for the placeholder.
 */
export async function serverDatabases(title: string): Promise<ServerDatabase[]> {
  const kinds: ServerDatabase[] = ["sqlite"];
  for (const [kind, problem] of [
    ["postgres", await postgresUnavailable()],
    ["mysql", await mysqlUnavailable()],
  ] as const) {
    if (problem === null) {
      kinds.push(kind);
      continue;
    }
    const { describe, it } = await import("vitest");
    describe(`${title} (${kind})`, () => {
      it(`skipped: ${problem}`, (ctx) => ctx.skip(problem));
    });
  }
  return kinds;
}
