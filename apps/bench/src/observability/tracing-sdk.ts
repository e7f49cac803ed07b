import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
} from "@opentelemetry/sdk-trace-base";
import { CountingSpanExporter } from "./counting-span-exporter.js";

/** The OpenTelemetry SDK as an operator would register it, with spans counted instead of sent. */
export interface RegisteredTracing {
  readonly exporter: CountingSpanExporter;
  /** Exports every span ended so far (the batch processor otherwise waits for a full batch or 5 s). */
  flush(): Promise<void>;
  /** Shuts the provider down and removes the global tracer provider, context manager and propagator. */
  unregister(): Promise<void>;
}

/**
 * Registers the OpenTelemetry SDK globally: a BasicTracerProvider with a BatchSpanProcessor (default
 * settings) feeding a counting exporter, the AsyncLocalStorage context manager and the W3C trace-context
 * propagator. With a sample ratio below 1 the sampler is `ParentBasedSampler` over
 * `TraceIdRatioBasedSampler(ratio)`: a trace started here is sampled at that ratio, and a request that
 * carries a `traceparent` follows its sampled flag; otherwise the SDK's default (every trace sampled).
 *
 * @param sampleRatio - the fraction of root traces sampled (1: all, the SDK's default sampler).
 * @returns the registration.
 * @throws Error when a global tracer provider, context manager or propagator is already registered.
 */
export function registerTracing(sampleRatio = 1): RegisteredTracing {
  const exporter = new CountingSpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(exporter)],
    ...(sampleRatio < 1
      ? { sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(sampleRatio) }) }
      : {}),
  });
  const registered = [
    trace.setGlobalTracerProvider(provider),
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()),
    propagation.setGlobalPropagator(new W3CTraceContextPropagator()),
  ];
  if (registered.includes(false)) throw new Error("an OpenTelemetry global was already registered");
  return {
    exporter,
    flush: () => provider.forceFlush(),
    async unregister() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
