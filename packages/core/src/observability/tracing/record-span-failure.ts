import { type Span, SpanStatusCode } from "@opentelemetry/api";

/**
 * The `error.type` of a failure: its `code` when it has a string one (a `StateStoreError` code, a
 * Postgres SQLSTATE, a SQLite or Node error code), else its class name.
 *
 * @param error - what was thrown.
 * @returns the error type.
 */
export function errorTypeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && code !== "") return code;
  if (error instanceof Error) return error.name === "" ? "Error" : error.name;
  return "_OTHER";
}

/**
 * Marks a span failed: status ERROR with the error's message, `error.type`, and the exception recorded
 * as an event.
 *
 * @param span - the span (recording).
 * @param error - what was thrown.
 */
export function recordSpanFailure(span: Span, error: unknown): void {
  span.setAttribute("error.type", errorTypeOf(error));
  if (error instanceof Error) {
    span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  } else {
    span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
  }
}
