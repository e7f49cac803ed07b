import type { StateStoreInstrumentation } from "@tidemark/state";
import { reportMetric, type WorkerMetricsHook } from "./worker-metrics-hook.js";

/**
 * The state store instrumentation that reports written values to a worker's metrics hook.
 *
 * @param hook - the hook, or undefined.
 * @returns the instrumentation, or undefined when the hook has no `valueWritten`.
 */
export function workerMetricsInstrumentation(
  hook: WorkerMetricsHook | undefined,
): StateStoreInstrumentation | undefined {
  if (hook?.valueWritten === undefined) return undefined;
  return {
    operation: (_info, run) => run(),
    valueWritten: (value) => reportMetric(hook, "valueWritten", value),
  };
}
