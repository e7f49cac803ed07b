import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";

/**
 * The span id of a span's parent.
 *
 * @param span - an ended span.
 * @returns the parent's span id, or undefined for a root span.
 */
export function parentIdOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}
