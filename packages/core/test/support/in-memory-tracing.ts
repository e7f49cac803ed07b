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
  readonly exporter: InMemorySpanExporter;
  /** The ended spans of a trace. */
  spansOf(traceId: string): ReadableSpan[];
  /** Waits (polling, 20 s at most) until the trace holds a span matching `predicate`, and returns it. */
  waitForSpan(traceId: string, predicate: (span: ReadableSpan) => boolean): Promise<ReadableSpan>;
  /** Waits (polling, 20 s at most) until any trace holds a span matching `predicate`, and returns it. */
  waitForAnySpan(predicate: (span: ReadableSpan) => boolean): Promise<ReadableSpan>;
  /** Unregisters the provider, context manager and propagator. */
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

/** Registers a tracer provider, an AsyncLocalStorage context manager and the W3C propagator. */
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

/** The span id of a span's parent, or undefined for a root. */
export function parentIdOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}
