import { context, type Span, trace } from "@opentelemetry/api";
import { recordSpanFailure } from "./record-span-failure.js";

/**
 * Runs `run` (with `span` as the active span unless `activate` is false) and ends the span when the
 * promise settles, marking it failed when it rejects.
 *
 * @param span - a recording span, not yet ended.
 * @param run - the work the span covers.
 * @param activate - whether spans started by `run` are the span's children; false saves a context
 *   switch for a leaf span such as a statement's. Default true.
 * @returns what `run` resolves to; rethrows what it throws.
 */
export function traced<T>(span: Span, run: () => Promise<T>, activate = true): Promise<T> {
  let promise: Promise<T>;
  try {
    promise = activate ? context.with(trace.setSpan(context.active(), span), run) : run();
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
