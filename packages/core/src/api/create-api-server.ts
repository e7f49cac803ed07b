import type { TidemarkConfig } from "@tidemark/config";
import type { BaseStoreBackend } from "@tidemark/state";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { cleanupLockFor } from "../cleanup-scheduler/cleanup-lock.js";
import { CleanupScheduler } from "../cleanup-scheduler/cleanup-scheduler.js";
import { createDatabase } from "../database/create-database.js";
import type { TidemarkDatabase } from "../database/tidemark-database.js";
import { createLogger } from "../logging/create-logger.js";
import { createConfiguredStoreBackend } from "../metastore/create-configured-store-backend.js";
import { migrate } from "../migrations/migrate.js";
import { composeInstrumentation } from "../observability/compose-instrumentation.js";
import { createServerMetrics } from "../observability/metrics/server-metrics.js";
import { installServerTracing } from "../observability/tracing/server-tracing.js";
import { installApiErrorHandlers } from "./api-error.js";
import { EXECUTION_API_PREFIX, executionApiPlugin } from "./execution/execution-api-plugin.js";
import type { ExecutionMetadata } from "./execution/execution-metadata.js";
import { ExecutionStateService } from "./execution/execution-state-service.js";
import { createMetastoreExecutionMetadata } from "./execution/metastore-execution-metadata.js";
import { ReadinessProbe } from "./health/readiness-probe.js";
import { startupAttempt } from "./health/startup-attempt.js";
import { runStartupCheck } from "./health/startup-check.js";
import { installLoadShedding } from "./load-shedding.js";
import { installRequestIdHeader, requestIdOf } from "./request-id.js";
import { type CoreRestApi, registerCoreRestApi } from "./rest/register-core-rest-api.js";
import { assertAuthAllowedOnHost } from "./rest/rest-auth.js";
import { type ResolvedSecretKey, resolveSecretKey } from "./secret-key.js";

/** Options of {@link createApiServer}. */
export interface CreateApiServerOptions {
  /** The configuration (`loadConfig()`). */
  readonly config: TidemarkConfig;
  /**
   * The server backend. Default: `state_store.backend` (`module#Export`) when set, else the built-in
   * MetastoreBackend on the database. A backend given here is not closed by `close()`.
   */
  readonly backend?: BaseStoreBackend;
  /** The metastore. Default: opened from `database.url` (and closed by `close()`). */
  readonly database?: TidemarkDatabase;
  /**
   * The logger: a pino logger (or any Fastify-compatible logger), or false for none. Default: pino JSON
   * lines on stderr at `logging.level`.
   */
  readonly logger?: FastifyBaseLogger | false;
  /** Working directory for `sqlite:relative` URLs, `.tidemark/secret_key` and backend modules. Default cwd. */
  readonly cwd?: string;
  /** Run pending migrations before serving. Default true. */
  readonly migrate?: boolean;
  /** The metadata the Execution API reads; default: the metastore's metadata API on the database. */
  readonly metadata?: ExecutionMetadata;
  /** The built UI to serve at /ui/ (`--ui-dir`); overrides `api.ui_dir`. */
  readonly uiDir?: string;
  /** Milliseconds between scheduled cleanups; default `state_store.cleanup_interval_seconds` × 1000 (0 = off). */
  readonly cleanupIntervalMs?: number;
  /**
   * Run the readiness check (metastore, server backend, migrations) before returning, retrying with
   * backoff for `startupTimeoutMs`. Default true; false skips it (migrations still run unless `migrate`
   * is false), for a server that must come up whatever its database does.
   */
  readonly startupCheck?: boolean;
  /** How long the start-up check retries, in milliseconds; default `api.startup_timeout_seconds` × 1000. */
  readonly startupTimeoutMs?: number;
  /** Milliseconds each readiness check may take (start-up and `/api/v2/monitor/readiness`). Default 5000. */
  readonly readinessTimeoutMs?: number;
}

/** Where to listen. */
export interface ListenOptions {
  /** Address to bind. Default `api.host`. */
  readonly host?: string;
  /** Port; 0 picks a free one. Default `api.port`. */
  readonly port?: number;
}

/** An embeddable Tidemark API server. */
export interface ApiServer {
  /** The Fastify instance (inject requests in tests, register further plugins before `listen`). */
  readonly app: FastifyInstance;
  /** The metastore the server uses. */
  readonly database: TidemarkDatabase;
  /** The server backend. */
  readonly backend: BaseStoreBackend;
  /** Where the token signing key came from. */
  readonly secretKey: ResolvedSecretKey;
  /** The Core REST API under /api/v2 (its StateAdmin) and where the UI at /ui/ is served from. */
  readonly restApi: CoreRestApi;
  /** The scheduled cleanup, started by `listen` and stopped by `close`. */
  readonly cleanupScheduler: CleanupScheduler;
  /** The readiness check behind `/api/v2/monitor/readiness` and the start-up check. */
  readonly readiness: ReadinessProbe;
  /**
   * Starts listening (and the scheduled cleanup). Refuses a non-loopback host with `api.auth = "none"`
   * (`CONFIG_ERROR`).
   *
   * @returns the base URL, for example `http://127.0.0.1:43817` (the Execution API is under `/execution`).
   */
  listen(options?: ListenOptions): Promise<string>;
  /** Stops listening, then closes what the server opened (backend, database). Idempotent. */
  close(): Promise<void>;
}

/**
 * The request body limit for a value limit: twice `state_store.max_value_storage_bytes` plus 64 KiB (room
 * for JSON whitespace and the other fields, so the precise 413 comes from the value check), or 64 MiB
 * when the value limit is off.
 *
 * @param maxValueStorageBytes - `state_store.max_value_storage_bytes`.
 * @returns bytes.
 */
export function bodyLimitFor(maxValueStorageBytes: number): number {
  return maxValueStorageBytes <= 0 ? 64 * 1024 * 1024 : maxValueStorageBytes * 2 + 64 * 1024;
}

/**
 * Lets a bodiless request carry `Content-Type: application/json` (clients such as httpx send it on
 * every request, DELETE and GET included): an empty body parses as no body instead of failing. A write
 * with an empty body still fails its schema (422).
 */
function acceptBodilessJson(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    if (body === "" && request.method !== "PUT" && request.method !== "PATCH" && request.method !== "POST") {
      done(null, undefined);
      return;
    }
    parseJson(request, String(body), done);
  });
}

/**
 * Builds the Tidemark API server: the Execution API under `/execution` (OpenAPI at
 * `/execution/openapi.json`), on Fastify with JSON-schema validation of every request. The server uses the
 * configured server backend (`state_store.backend`, default MetastoreBackend) for state and the
 * metastore's metadata API for task instances, assets, inlets and outlets. Further APIs (the Core REST API
 * under `/api/v2`) register as sibling plugins on `app`.
 *
 * @param options - configuration, optional backend, database, logger, working directory.
 * @returns the server, not yet listening.
 * @throws StateStoreError `CONFIG_ERROR` for a bad `api.secret_key`, `state_store.backend` or
 *   `database.url`; `BACKEND_UNAVAILABLE` when the database cannot be opened or migrated, or the start-up
 *   check still fails at its deadline (the message names each failed component and its reason).
 */
export async function createApiServer(options: CreateApiServerOptions): Promise<ApiServer> {
  const { config } = options;
  const cwd = options.cwd ?? process.cwd();
  const secretKey = resolveSecretKey(config, { cwd });
  const ownedDatabase = options.database === undefined;
  const database =
    options.database ?? createDatabase(config.database.url, { cwd, poolSize: config.database.pool_size });
  let backend: BaseStoreBackend | undefined;
  let ownedBackend = false;
  const logger =
    options.logger === false
      ? undefined
      : (options.logger ?? createLogger({ level: config.logging.level, name: "tidemark-api" }));
  let readiness: ReadinessProbe;
  try {
    if (options.backend !== undefined) backend = options.backend;
    else {
      ownedBackend = true;
      backend = await createConfiguredStoreBackend({ config, database, cwd });
    }
    readiness = new ReadinessProbe({
      database,
      backend,
      ...(options.readinessTimeoutMs === undefined ? {} : { timeoutMs: options.readinessTimeoutMs }),
    });
    const migrateNow = options.migrate === false ? undefined : () => migrate(database);
    if (options.startupCheck === false) await migrateNow?.();
    else {
      await runStartupCheck({
        attempt: startupAttempt({ probe: readiness, migrate: migrateNow }),
        timeoutMs: options.startupTimeoutMs ?? config.api.startup_timeout_seconds * 1000,
        logger,
      });
    }
  } catch (error) {
    if (ownedBackend && backend !== undefined) await backend.close().catch(() => {});
    if (ownedDatabase) await database.close().catch(() => {});
    throw error;
  }
  const serverBackend = backend;
  const bodyLimit = bodyLimitFor(config.state_store.max_value_storage_bytes);
  const app = Fastify({
    ...(logger === undefined ? { logger: false } : { loggerInstance: logger }),
    bodyLimit,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false } },
    return503OnClosing: true,
    genReqId: requestIdOf,
    requestIdHeader: false,
  });
  acceptBodilessJson(app);
  const tracing = installServerTracing(app, database);
  const cleanupIntervalMs = options.cleanupIntervalMs ?? config.state_store.cleanup_interval_seconds * 1000;
  const metrics = createServerMetrics(app, {
    config,
    database,
    cleanupIntervalSeconds: cleanupIntervalMs / 1000,
  });
  const instrumentation = composeInstrumentation(metrics?.stateStore("execution"), tracing.instrumentation);
  installRequestIdHeader(app);
  await installLoadShedding(app, config.api);
  const service = new ExecutionStateService({
    backend: serverBackend,
    metadata: options.metadata ?? createMetastoreExecutionMetadata(database),
    metadataStorage: database,
    settings: {
      maxValueStorageBytes: config.state_store.max_value_storage_bytes,
      defaultRetentionDays: config.state_store.default_retention_days,
      clearOnSuccess: config.state_store.clear_on_success,
    },
    instrumentation,
  });
  // Root handlers answer outside every API plugin (unknown paths) in the same error shape.
  installApiErrorHandlers(app, { bodyLimit });
  await app.register(executionApiPlugin, {
    prefix: EXECUTION_API_PREFIX,
    service,
    signingKey: secretKey.key,
    bodyLimit,
    compareAndSet: serverBackend.capabilities.compareAndSet,
    onTokenVerification: metrics?.tokenVerification("execution"),
  });
  let restApi: CoreRestApi;
  try {
    restApi = await registerCoreRestApi(app, {
      config,
      database,
      backend: serverBackend,
      cwd,
      bodyLimit,
      uiDir: options.uiDir,
      secretKey: secretKey.key,
      instrumentation: composeInstrumentation(metrics?.stateStore("rest"), tracing.instrumentation),
      onTokenVerification: metrics?.tokenVerification("rest"),
      readiness,
    });
  } catch (error) {
    tracing.stop();
    metrics?.close();
    if (ownedBackend) await serverBackend.close().catch(() => {});
    if (ownedDatabase) await database.close().catch(() => {});
    throw error;
  }
  const cleanupScheduler = new CleanupScheduler({
    backend: serverBackend,
    database,
    lock: cleanupLockFor(database),
    intervalMs: cleanupIntervalMs,
    logger: app.log,
    ...(metrics === undefined ? {} : { onSweep: metrics.cleanupSweep }),
  });

  let closing: Promise<void> | undefined;
  return {
    app,
    database,
    backend: serverBackend,
    secretKey,
    restApi,
    cleanupScheduler,
    readiness,
    async listen(listen: ListenOptions = {}): Promise<string> {
      const host = listen.host ?? config.api.host;
      assertAuthAllowedOnHost(config.api.auth, host);
      const origin = await app.listen({ host, port: listen.port ?? config.api.port });
      cleanupScheduler.start();
      return origin;
    },
    close(): Promise<void> {
      closing ??= (async () => {
        try {
          await cleanupScheduler.stop();
          await app.close();
        } finally {
          tracing.stop();
          metrics?.close();
          if (ownedBackend) await serverBackend.close();
          if (ownedDatabase) await database.close();
        }
      })();
      return closing;
    },
  };
}
