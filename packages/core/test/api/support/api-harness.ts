import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, type RawConfig, type TidemarkConfig } from "@tidemark/config";
import { type BaseStoreBackend, STATE_STORE_ERROR_CODES, type StateStoreErrorCode } from "@tidemark/state";
import { type ApiServer, createApiServer } from "../../../src/api/create-api-server.js";
import {
  issueTaskToken,
  issueWatcherToken,
  type WatcherAssetGrant,
} from "../../../src/api/execution-tokens.js";
import {
  createDatabase,
  createTaskInstance,
  registerAsset,
  type TaskInstanceRecord,
  type TidemarkDatabase,
} from "../../../src/index.js";
import { connectTestMysql, type TestMysql } from "../../support/mysql.js";
import { connectTestPostgres, type TestPostgres, type TestSchema } from "../../support/postgres.js";

/** A parsed answer body: a state value, a task instance or an error. */
export interface ApiBody {
  value?: unknown;
  detail?: { reason: string; message: string; code: string };
  [member: string]: unknown;
}

/** A parsed answer. */
export interface ApiAnswer {
  readonly status: number;
  readonly body: ApiBody | undefined;
  readonly text: string;
  /** The response headers. */
  readonly headers: Headers;
}

/** A running api-server on 127.0.0.1 (port 0) with a throwaway database. */
export interface ApiHarness {
  readonly server: ApiServer;
  /** `http://127.0.0.1:PORT/execution`. */
  readonly baseUrl: string;
  readonly database: TidemarkDatabase;
  readonly config: TidemarkConfig;
  /** The temporary working directory (holds `.tidemark/secret_key`, and the SQLite file). */
  readonly cwd: string;
  /** A task token for a task instance id. */
  token(tiId: string, options?: { ttlSeconds?: number; now?: Date }): Promise<string>;
  /** A watcher token for some assets. */
  watcherToken(assets: WatcherAssetGrant[]): Promise<string>;
  /** Registers (or re-activates) assets. */
  asset(name: string, uri?: string): Promise<void>;
  /** Creates a task instance (and its dag run) with inlets and outlets by name. */
  taskInstance(
    init?: Partial<{
      dagId: string;
      runId: string;
      taskId: string;
      mapIndex: number;
      inlets: string[];
      outlets: string[];
    }>,
  ): Promise<TaskInstanceRecord>;
  /** fetch against the Execution API with a bearer token. */
  call(
    method: string,
    path: string,
    options?: {
      token?: string | null;
      body?: unknown;
      rawBody?: string;
      contentType?: string;
      headers?: Record<string, string>;
    },
  ): Promise<ApiAnswer>;
  close(): Promise<void>;
}

/** Options of {@link startApiHarness}. */
export interface ApiHarnessOptions {
  /** Configuration over the defaults (database.url is set by the harness). */
  readonly config?: RawConfig;
  /** `sqlite` (a temp file, default), or a fresh database from {@link harnessDatabase}. */
  readonly database?: "sqlite" | HarnessDatabase;
  /** A server backend instead of the MetastoreBackend. */
  readonly backend?: BaseStoreBackend;
  /** Builds the server backend on the harness's database (instead of `backend`). */
  readonly backendFor?: (database: TidemarkDatabase) => BaseStoreBackend;
}

let sequence = 0;

/**
 * Starts a real api-server in-process (createApiServer) on 127.0.0.1 port 0.
 *
 * @param options - configuration overlay, database choice, backend.
 */
export async function startApiHarness(options: ApiHarnessOptions = {}): Promise<ApiHarness> {
  const cwd = mkdtempSync(join(tmpdir(), "tidemark-api-"));
  const schema =
    options.database !== undefined && options.database !== "sqlite" ? options.database : undefined;
  // PGlite has no URL; the configuration then names an unused in-memory SQLite.
  const url =
    schema === undefined ? `sqlite://${join(cwd, "tidemark.db")}` : (schema.url ?? "sqlite::memory:");
  const config = loadConfig({ cwd, env: {}, overrides: { ...options.config, database: { url } } });
  const database = schema?.database ?? createDatabase(url);
  const server = await createApiServer({
    config,
    database,
    cwd,
    logger: false,
    ...(options.backend ? { backend: options.backend } : {}),
    ...(options.backendFor ? { backend: options.backendFor(database) } : {}),
  });
  const origin = await server.listen({ host: "127.0.0.1", port: 0 });
  const baseUrl = `${origin}/execution`;
  const key = server.secretKey.key;
  return {
    server,
    baseUrl,
    database,
    config,
    cwd,
    token: (tiId, o = {}) => issueTaskToken({ key, taskInstanceId: tiId, ...o }),
    watcherToken: (assets) => issueWatcherToken({ key, watcherId: "test-watcher", assets }),
    async asset(name, uri) {
      await registerAsset(database, { name, ...(uri === undefined ? {} : { uri }) });
    },
    async taskInstance(init = {}) {
      sequence++;
      return createTaskInstance(database, {
        dagId: init.dagId ?? "api_dag",
        runId: init.runId ?? `run_${process.pid}_${sequence}`,
        taskId: init.taskId ?? "extract",
        mapIndex: init.mapIndex ?? -1,
        inlets: init.inlets ?? [],
        outlets: init.outlets ?? [],
      });
    },
    async call(method, path, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      if (o.token !== null && o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
      let body: string | undefined;
      if (o.rawBody !== undefined) body = o.rawBody;
      else if (o.body !== undefined) body = JSON.stringify(o.body);
      if (body !== undefined) headers["content-type"] = o.contentType ?? "application/json";
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
      });
      const text = await response.text();
      let parsed: ApiBody | undefined;
      try {
        parsed = text === "" ? undefined : (JSON.parse(text) as ApiBody);
      } catch {
        parsed = undefined;
      }
      return { status: response.status, body: parsed, text, headers: response.headers };
    },
    async close() {
      await server.close();
      if (schema === undefined) await database.close();
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}

/** A fresh, migrated database of a server the harness does not own: a Postgres schema or a MySQL database. */
export interface HarnessDatabase {
  readonly database: TidemarkDatabase;
  /** Its `database.url`; null on PGlite, which no URL reaches. */
  readonly url: string | null;
  /** Closes the handle and drops the database. */
  dispose(): Promise<void>;
}

/** The databases the API suites run on. */
export type DatabaseKind = "sqlite" | "postgres" | "mysql";

let postgres: Promise<TestPostgres> | undefined;
let mysql: Promise<TestMysql> | undefined;

/**
 * SQLite, Postgres and MySQL; without MySQL when none is reachable outside CI (`connectTestMysql` says so
 * and, with CI=true, fails the run).
 */
export const DATABASE_KINDS: readonly DatabaseKind[] = await (async () => {
  mysql = connectTestMysql();
  return (await mysql).skipReason === null ? ["sqlite", "postgres", "mysql"] : ["sqlite", "postgres"];
})();

/**
 * The `database` option of {@link startApiHarness} for a kind: `sqlite`, or a fresh migrated database on
 * the test Postgres or MySQL (dropped by {@link closeTestDatabases}).
 */
export async function harnessDatabase(kind: DatabaseKind): Promise<"sqlite" | HarnessDatabase> {
  if (kind === "sqlite") return "sqlite";
  if (kind === "postgres") return postgresSchema();
  mysql ??= connectTestMysql();
  return (await mysql).freshDatabase();
}

/** A fresh, migrated Postgres schema (real Postgres; PGlite stands in locally when none is reachable). */
export async function postgresSchema(): Promise<TestSchema> {
  postgres ??= connectTestPostgres();
  return (await postgres).freshSchema();
}

/** Drops the test databases and closes the shared connections (call in afterAll of every file using them). */
export async function closeTestDatabases(): Promise<void> {
  if (postgres !== undefined) {
    const p = postgres;
    postgres = undefined;
    await (await p).close();
  }
  if (mysql !== undefined) {
    const m = mysql;
    mysql = undefined;
    await (await m).close();
  }
}

/**
 * Asserts an error answer: its status, reason and code, and returns its message.
 *
 * @param answer - the answer.
 * @param status - the HTTP status expected.
 * @param code - the StateStoreError code expected.
 */
export function errorOf(answer: ApiAnswer, status: number, code: string): string {
  const detail = answer.body?.detail;
  const reason = STATE_STORE_ERROR_CODES[code as StateStoreErrorCode]?.reason;
  if (answer.status !== status || detail?.code !== code || detail.reason !== reason) {
    throw new Error(`expected ${status} ${code}, got ${answer.status} ${answer.text}`);
  }
  return detail.message;
}
