import {
  context,
  isSpanContextValid,
  propagation,
  SpanKind,
  SpanStatusCode,
  type TextMapSetter,
  trace,
} from "@opentelemetry/api";

/** The instrumentation scope of the task SDK's spans. */
const TRACER_NAME = "@tidemark/task-sdk";

/** One attempt of an Execution API call, as its span names it. */
export interface ExecutionApiAttempt {
  /** The route template under the base URL, for example `/store/ti/{ti_id}/{key}`. */
  readonly route: string;
  /** The call, snake_case, for example `set_task_state`. */
  readonly operation: string;
  /** 1 for the first attempt, 2 for the first retry … */
  readonly attempt: number;
}

/** Writes propagation headers into a plain header record. */
const headerSetter: TextMapSetter<Record<string, string>> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};

function errorTypeOf(error: unknown): string {
  const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  if (typeof code === "string") return code;
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === "string" && name !== "" ? name : "_OTHER";
}

/**
 * Sends one attempt of an Execution API request inside a CLIENT span `<METHOD> <route>` (a child of the
 * caller's active span: the task's) and injects its W3C trace context (`traceparent`, through the global
 * propagator) into the request headers, so the server's spans continue the task's trace. Every attempt
 * is a span of its own; a retry carries `http.request.resend_count`. Attributes: `http.request.method`,
 * `url.full`, `url.template`, `server.address`, `server.port`, `http.response.status_code`,
 * `tidemark.execution_api.operation`. A network failure or a 5xx answer marks the span ERROR with
 * `error.type`; a 4xx answer is an outcome (no value, a compare-and-set conflict), not an error. The
 * span ends when the answer's headers arrive. Without an OpenTelemetry SDK this is `fetch(url, init)`.
 *
 * @param fetch - the fetch to send with.
 * @param url - the request URL.
 * @param init - the request; its `headers` must be a plain record (the propagation headers go there).
 * @param call - the route template, operation and attempt number.
 * @returns the answer; rethrows what fetch throws.
 */
export function fetchTraced(
  fetch: typeof globalThis.fetch,
  url: string,
  init: RequestInit & { headers: Record<string, string> },
  call: ExecutionApiAttempt,
): Promise<Response> {
  const method = init.method ?? "GET";
  const span = trace
    .getTracer(TRACER_NAME)
    .startSpan(`${method} ${call.route}`, { kind: SpanKind.CLIENT }, context.active());
  if (!span.isRecording() && !isSpanContextValid(span.spanContext())) return fetch(url, init);
  const active = trace.setSpan(context.active(), span);
  propagation.inject(active, init.headers, headerSetter);
  if (span.isRecording()) {
    span.setAttribute("http.request.method", method);
    span.setAttribute("url.full", url);
    span.setAttribute("url.template", call.route);
    span.setAttribute("tidemark.execution_api.operation", call.operation);
    if (call.attempt > 1) span.setAttribute("http.request.resend_count", call.attempt - 1);
    try {
      const parsed = new URL(url);
      span.setAttribute("server.address", parsed.hostname.replace(/^\[(.*)\]$/, "$1"));
      span.setAttribute(
        "server.port",
        parsed.port === "" ? (parsed.protocol === "https:" ? 443 : 80) : Number(parsed.port),
      );
    } catch {
      // The client checked its base URL; a URL that does not parse has no server to name.
    }
  }
  // The span is a leaf: the request carries it in `traceparent`, so fetch need not run inside it (which
  // would make every promise of the HTTP client carry the context).
  return fetch(url, init).then(
    (response) => {
      span.setAttribute("http.response.status_code", response.status);
      if (response.status >= 500) {
        span.setAttribute("error.type", String(response.status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
      return response;
    },
    (error: unknown) => {
      span.setAttribute("error.type", errorTypeOf(error));
      if (error instanceof Error) span.recordException(error);
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : String(error),
      });
      span.end();
      throw error;
    },
  );
}
