import type { TidemarkConfig } from "@tidemark/config";
import type { StateStoreInstrumentation } from "@tidemark/state";
import type { FastifyInstance } from "fastify";
import type { Registry } from "prom-client";
import type { TokenVerificationObserver } from "../../api/token-verification.js";
import type { CleanupSweepObservation } from "../../cleanup-scheduler/cleanup-scheduler.js";
import { connectionPoolOf } from "../../database/connection-pool.js";
import type { TidemarkDatabase } from "../../database/tidemark-database.js";
import { CleanupMetrics } from "./cleanup-metrics.js";
import { installCliRequestContext } from "./cli-request-context.js";
import { installDatabaseMetrics } from "./database-metrics.js";
import { installHttpMetrics } from "./http-metrics.js";
import { createMetricsRegistry } from "./metrics-registry.js";
import { installMetricsRoute } from "./metrics-route.js";
import { StateStoreMetrics } from "./state-store-metrics.js";
import { type TokenApi, TokenMetrics } from "./token-metrics.js";

/** The Prometheus metrics of one api-server, and the hooks its parts report through. */
export interface ServerMetrics {
  /** The server's own registry (never prom-client's global one). */
  readonly registry: Registry;
  /**
   * The instrumentation of an API's state store: `execution` for the Execution API's, `rest` for the
   * Core REST API's (which labels each operation `rest` or `cli` by the request's User-Agent).
   */
  stateStore(api: "execution" | "rest"): StateStoreInstrumentation;
  /** The observer an API's bearer-token check reports to. */
  tokenVerification(api: TokenApi): TokenVerificationObserver;
  /** Records one scheduled cleanup sweep (`CleanupSchedulerOptions.onSweep`). */
  readonly cleanupSweep: (sweep: CleanupSweepObservation) => void;
  /** Stops observing the database. */
  close(): void;
}

/**
 * Sets up an api-server's Prometheus metrics when `api.metrics` is true: `GET /metrics` (behind
 * `api.metrics_token` when set), the HTTP request hooks, the CLI request context, the database's query
 * error counter and pool gauges, and the state store, token and cleanup metrics the caller wires in.
 * With `api.metrics = false` nothing is installed and nothing recorded. Call it on the root instance
 * before the APIs register, so their routes inherit the hooks.
 *
 * @param app - the root Fastify instance.
 * @param options - the configuration, the metastore and the scheduled cleanup's interval in seconds.
 * @returns the metrics, or undefined when `api.metrics` is false.
 */
export function createServerMetrics(
  app: FastifyInstance,
  options: {
    readonly config: TidemarkConfig;
    readonly database: TidemarkDatabase;
    readonly cleanupIntervalSeconds: number;
  },
): ServerMetrics | undefined {
  const { config, database } = options;
  if (!config.api.metrics) return undefined;
  const registry = createMetricsRegistry();
  installHttpMetrics(app, registry);
  installCliRequestContext(app);
  installMetricsRoute(app, { registry, token: config.api.metrics_token });
  const stopDatabase = installDatabaseMetrics(registry, database, connectionPoolOf(database));
  const stateStore = new StateStoreMetrics(registry);
  const tokens = new TokenMetrics(registry);
  const cleanup = new CleanupMetrics(registry, options.cleanupIntervalSeconds);
  return {
    registry,
    stateStore: (api) =>
      api === "execution" ? stateStore.forApi("execution") : stateStore.forRestRequests(),
    tokenVerification: (api) => tokens.observer(api),
    cleanupSweep: (sweep) => cleanup.observe(sweep),
    close: stopDatabase,
  };
}
