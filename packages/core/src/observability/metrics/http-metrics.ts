import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from "fastify";
import { Counter, Histogram, type Registry } from "prom-client";

/** The `route` label of requests no route matched (unknown paths), so scanners add no series. */
export const UNMATCHED_ROUTE = "unmatched";

/** Request latencies in seconds. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type Child = { inc(value?: number): void };
type HistogramChild = { observe(value: number): void };

/** The series of one (route, method), with its counters per status code. */
interface RouteSeries {
  readonly duration: HistogramChild;
  readonly statuses: Map<number, Child>;
  readonly route: string;
  readonly method: string;
}

/**
 * Counts every HTTP request by route template (Fastify's `routeOptions.url`, for example
 * `/execution/state/ti/:ti_id/*`; `unmatched` for unknown paths), method and status code, and observes
 * its latency in seconds (Fastify's `reply.elapsedTime`, from routing to the response's end) by route and
 * method: one `onResponse` hook on the root instance. Install it before the APIs register so their
 * routes inherit it.
 *
 * @param app - the root Fastify instance.
 * @param registry - the server's registry.
 */
export function installHttpMetrics(app: FastifyInstance, registry: Registry): void {
  const registers = [registry];
  const requests = new Counter({
    name: "tidemark_http_requests_total",
    help: "HTTP requests answered, by route template (unmatched for unknown paths), method and status code.",
    labelNames: ["route", "method", "status_code"],
    registers,
  });
  const durations = new Histogram({
    name: "tidemark_http_request_duration_seconds",
    help: "HTTP request latency in seconds, from routing to the end of the response, by route template and method.",
    labelNames: ["route", "method"],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const series = new Map<string, RouteSeries>();
  app.addHook("onResponse", (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    const route = request.is404 ? UNMATCHED_ROUTE : (request.routeOptions.url ?? UNMATCHED_ROUTE);
    const method = request.method;
    const key = `${method} ${route}`;
    let found = series.get(key);
    if (found === undefined) {
      found = { duration: durations.labels(route, method), statuses: new Map(), route, method };
      series.set(key, found);
    }
    const status = reply.statusCode;
    let counter = found.statuses.get(status);
    if (counter === undefined) {
      counter = requests.labels(found.route, found.method, String(status));
      found.statuses.set(status, counter);
    }
    counter.inc();
    found.duration.observe(reply.elapsedTime / 1000);
    done();
  });
}
