import { context, type Span, trace } from "@opentelemetry/api";
import { recordSpanFailure } from "./record-span-failure.js";

/**
 * Runs `run` with `span` as the active span and ends the span when the promise settles, marking it
 * failed when it rejects.
 *
 * @param span - a recording span, not yet ended.
 * @param run - the work the span covers.
 * @returns what `run` resolves to; rethrows what it throws.
 */
export function traced<T>(span: Span, run: () => Promise<T>): Promise<T> {
  let promise: Promise<T>;
  try {
    promise = context.with(trace.setSpan(context.active(), span), run);
  } catch (error) {
    recordSpanFailure(span, error);
    span.end();
    throw error;
  }
  return promise.then(
    (result) => {
      span.end();
      return result;
    },
    (error: unknown) => {
      recordSpanFailure(span, error);
      span.end();
      throw error;
    },
  );
}
