import { type ExportResult, ExportResultCode } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import type { SpanCounts } from "./observability-protocol.js";

/** A span exporter that counts the spans it is handed, by name, and discards them. */
export class CountingSpanExporter implements SpanExporter {
  #total = 0;
  readonly #byName = new Map<string, number>();

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.#total += spans.length;
    for (const span of spans) this.#byName.set(span.name, (this.#byName.get(span.name) ?? 0) + 1);
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  /** The spans counted so far. */
  counts(): SpanCounts {
    return { total: this.#total, byName: Object.fromEntries(this.#byName) };
  }
}
