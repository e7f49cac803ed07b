import { SpanKind, type Tracer } from "@opentelemetry/api";
import type { StateStoreInstrumentation } from "@tidemark/state";
import { tidemarkTracer } from "./tidemark-tracer.js";
import { traced } from "./traced.js";

/**
 * State store instrumentation that makes an INTERNAL span `state_store.<operation>` around every
 * operation, a child of the active span (the request's), with `tidemark.state_store.operation`,
 * `tidemark.state_store.scope` (`task` / `asset`, absent for cleanup), `tidemark.state_store.backend`
 * and `tidemark.state_store.conditional`; a failed operation sets `error.type` (the `StateStoreError`
 * code) and records the exception. Keys and values are never recorded. Without an OpenTelemetry SDK the
 * operation runs as is.
 *
 * @param tracer - the tracer; default the global provider's `@tidemark/core` tracer.
 * @returns the instrumentation, to compose with others (`composeInstrumentation`).
 */
export function stateStoreTracing(tracer: Tracer = tidemarkTracer()): StateStoreInstrumentation {
  return {
    operation(info, run) {
      const span = tracer.startSpan(`state_store.${info.operation}`, { kind: SpanKind.INTERNAL });
      if (!span.isRecording()) return run();
      span.setAttribute("tidemark.state_store.operation", info.operation);
      if (info.scope !== null) span.setAttribute("tidemark.state_store.scope", info.scope);
      span.setAttribute("tidemark.state_store.backend", info.backend);
      span.setAttribute("tidemark.state_store.conditional", info.conditional);
      return traced(span, run);
    },
  };
}
