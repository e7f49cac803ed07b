import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { vi } from "vitest";

/** An OpenTelemetry SDK registered globally that keeps every ended span in memory. */
export interface InMemoryTracing {
  /** The exporter holding every ended span (`getFinishedSpans()`, `reset()`). */
  readonly exporter: InMemorySpanExporter;
  /**
   * The ended spans of a trace.
   *
   * @param traceId - the trace's id (32 hex digits).
   * @returns its ended spans, in the order they ended.
   */
  spansOf(traceId: string): ReadableSpan[];
  /**
   * Waits (polling, 20 s at most) until the trace holds a span matching `predicate`.
   *
   * @param traceId - the trace's id (32 hex digits).
   * @param predicate - which span to wait for.
   * @returns the first matching span.
   * @throws Error when no span matched within 20 s.
   */
  waitForSpan(traceId: string, predicate: (span: ReadableSpan) => boolean): Promise<ReadableSpan>;
  /**
   * Waits (polling, 20 s at most) until any trace holds a span matching `predicate`.
   *
   * @param predicate - which span to wait for.
   * @returns the first matching span.
   * @throws Error when no span matched within 20 s.
   */
  waitForAnySpan(predicate: (span: ReadableSpan) => boolean): Promise<ReadableSpan>;
  /** Shuts the provider down and unregisters it, the context manager and the propagator. */
  stop(): Promise<void>;
}

function waitFor(find: () => ReadableSpan | undefined): Promise<ReadableSpan> {
  return vi.waitFor(
    () => {
      const found = find();
      if (found === undefined) throw new Error("no such span yet");
      return found;
    },
    { timeout: 20_000, interval: 20 },
  );
}

/**
 * Registers, globally on `@opentelemetry/api`, a tracer provider exporting every ended span to memory
 * (without batching), an AsyncLocalStorage context manager and the W3C Trace Context propagator. Call
 * `stop()` afterwards (in `afterEach`/`afterAll`), so the next registration takes effect.
 *
 * @returns the registration, to read the spans and to stop it.
 */
export function startInMemoryTracing(): InMemoryTracing {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const spansOf = (traceId: string) =>
    exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
  return {
    exporter,
    spansOf,
    waitForSpan: (traceId, predicate) => waitFor(() => spansOf(traceId).find(predicate)),
    waitForAnySpan: (predicate) => waitFor(() => exporter.getFinishedSpans().find(predicate)),
    async stop() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
