import type { StateStoreInstrumentation } from "@tidemark/state";
import type { FastifyInstance } from "fastify";
import type { TidemarkDatabase } from "../../database/tidemark-database.js";
import { traceQueries } from "./query-tracing.js";
import { installRequestTracing } from "./request-tracing.js";
import { stateStoreTracing } from "./state-store-tracing.js";

/** What {@link installServerTracing} set up. */
export interface ServerTracing {
  /** The state store spans, to compose into the server's instrumentation. */
  readonly instrumentation: StateStoreInstrumentation;
  /** Stops the database statement spans (the server closes). Idempotent. */
  stop(): void;
}

/**
 * The api-server's traces: a span per request on `app`, per state store operation (through the returned
 * instrumentation) and per database statement. They go to the global OpenTelemetry tracer provider, a
 * no-op until an SDK registers one.
 *
 * @param app - the root Fastify instance, before the API plugins register.
 * @param database - the metastore.
 * @returns the instrumentation and a stop function.
 */
export function installServerTracing(app: FastifyInstance, database: TidemarkDatabase): ServerTracing {
  installRequestTracing(app);
  const stop = traceQueries(database);
  return { instrumentation: stateStoreTracing(), stop };
}
