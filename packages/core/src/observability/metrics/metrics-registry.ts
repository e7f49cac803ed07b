import { collectDefaultMetrics, Registry } from "prom-client";

/**
 * A Prometheus registry of one api-server, never prom-client's global one (two servers in one process
 * keep apart), with prom-client's default process metrics (CPU, memory, heap, event-loop lag, GC) under
 * their usual unprefixed names (`process_cpu_seconds_total`, `nodejs_eventloop_lag_seconds`, …).
 *
 * @returns the registry.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
