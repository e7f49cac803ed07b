import underPressure, { type FastifyUnderPressureOptions } from "@fastify/under-pressure";
import { StateStoreError } from "@tidemark/state";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { apiErrorBody, ERROR_CODE_HEADER } from "./api-error.js";

/**
 * The paths load shedding never refuses: liveness, readiness and metrics must answer while the server
 * is overloaded, or an orchestrator restarts a server that is only busy and a scraper loses the numbers
 * that show why.
 */
export const LOAD_SHEDDING_EXEMPT_PATHS: readonly string[] = Object.freeze([
  "/execution/health",
  "/api/v2/monitor/health",
  "/api/v2/monitor/readiness",
  "/metrics",
]);

/** Options of {@link installLoadShedding}: the `api.*` load-shedding settings. */
export interface LoadSheddingOptions {
  /** `api.max_event_loop_delay_ms`: shed while the mean event-loop delay is over this, in ms; 0 = off. */
  readonly max_event_loop_delay_ms: number;
  /** `api.max_heap_used_bytes`: shed while the V8 heap in use is over this, in bytes; 0 = off. */
  readonly max_heap_used_bytes: number;
  /** `api.shed_retry_after_seconds`: the `Retry-After` of a shed answer, in seconds. */
  readonly shed_retry_after_seconds: number;
}

/** Milliseconds between two samples of the event-loop delay and the heap. */
const SAMPLE_INTERVAL_MS = 1000;

interface Limit {
  readonly option: string;
  readonly limit: number;
  readonly unit: string;
  readonly measured: string;
}

function limitCrossed(type: string, value: unknown, options: LoadSheddingOptions): Limit {
  const measured = typeof value === "number" ? Math.round(value) : Number.NaN;
  if (type === underPressure.TYPE_EVENT_LOOP_DELAY) {
    return {
      option: "api.max_event_loop_delay_ms",
      limit: options.max_event_loop_delay_ms,
      unit: "ms",
      // under-pressure reports Infinity when the loop stayed blocked through a whole sample.
      measured: `the event-loop delay (${Number.isFinite(Number(measured)) ? `${measured} ms` : "blocked through a whole sample"})`,
    };
  }
  return {
    option: "api.max_heap_used_bytes",
    limit: options.max_heap_used_bytes,
    unit: "bytes",
    measured: `the V8 heap in use (${measured} bytes)`,
  };
}

/**
 * The answer to a shed request: `BACKEND_UNAVAILABLE`, naming the limit that was crossed and how to raise
 * it.
 *
 * @param limit - the crossed limit.
 * @param retryAfterSeconds - the `Retry-After` sent with it.
 * @returns the error.
 */
function shedError(limit: Limit, retryAfterSeconds: number): StateStoreError {
  return new StateStoreError(
    "BACKEND_UNAVAILABLE",
    `the api-server is overloaded and sheds requests: ${limit.measured} is over ${limit.option} = ${limit.limit} ${limit.unit}; retry after ${retryAfterSeconds} s, add api-server replicas, or raise ${limit.option} (0 turns the check off)`,
    { details: { option: limit.option, limit: limit.limit } },
  );
}

/**
 * Installs load shedding (`@fastify/under-pressure`) when `api.max_event_loop_delay_ms` or
 * `api.max_heap_used_bytes` is set: while the sampled event-loop delay or heap is over its limit (sampled
 * every second), every request except {@link LOAD_SHEDDING_EXEMPT_PATHS} is answered 503
 * `BACKEND_UNAVAILABLE` with `Retry-After: <api.shed_retry_after_seconds>`, in the error shape of the API
 * it was sent to (the Core REST API's under `/api/`, else the Execution API's). Shedding is logged at
 * `warn`, at most once per `Retry-After` period, with the number of requests shed. Register it on the
 * root instance before the APIs, so its hook runs for all of them.
 *
 * @param app - the root instance.
 * @param options - the limits and the `Retry-After`.
 */
export async function installLoadShedding(app: FastifyInstance, options: LoadSheddingOptions): Promise<void> {
  if (options.max_event_loop_delay_ms <= 0 && options.max_heap_used_bytes <= 0) return;
  const retryAfter = options.shed_retry_after_seconds;
  let shedSinceLog = 0;
  let lastLogAt = Number.NEGATIVE_INFINITY;
  // A value the handler returns is sent as the answer (documented by under-pressure; its types say void).
  const shed = (request: FastifyRequest, reply: FastifyReply, type: string, value: unknown) => {
    if (LOAD_SHEDDING_EXEMPT_PATHS.includes(request.url.split("?")[0] as string)) return undefined;
    const error = shedError(limitCrossed(type, value, options), retryAfter);
    shedSinceLog++;
    const now = performance.now();
    if (now - lastLogAt >= retryAfter * 1000) {
      request.log.warn({ code: error.code, shed: shedSinceLog, ...error.details }, error.message);
      lastLogAt = now;
      shedSinceLog = 0;
    }
    reply
      .code(503)
      .header("retry-after", String(retryAfter))
      .header(ERROR_CODE_HEADER, error.code)
      .type("application/json; charset=utf-8");
    return apiErrorBody(error, request.url.startsWith("/api/") ? "core" : "execution");
  };
  await app.register(underPressure, {
    maxEventLoopDelay: options.max_event_loop_delay_ms,
    maxHeapUsedBytes: options.max_heap_used_bytes,
    sampleInterval: SAMPLE_INTERVAL_MS,
    retryAfter,
    pressureHandler: shed as unknown as NonNullable<FastifyUnderPressureOptions["pressureHandler"]>,
  });
}
