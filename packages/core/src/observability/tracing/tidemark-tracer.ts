import { type Tracer, trace } from "@opentelemetry/api";

/** The instrumentation scope of the server's spans. */
export const TIDEMARK_TRACER_NAME = "@tidemark/core";

/**
 * The tracer the server's spans come from: the global tracer provider's, which is a no-op until an
 * OpenTelemetry SDK registers one (before or after this is called).
 *
 * @returns the tracer.
 */
export function tidemarkTracer(): Tracer {
  return trace.getTracer(TIDEMARK_TRACER_NAME);
}
