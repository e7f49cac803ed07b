import {
  type Context,
  context,
  isSpanContextValid,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { errorTypeOf } from "./record-span-failure.js";
import { tidemarkTracer } from "./tidemark-tracer.js";

/** A request's server span and the context it is active in. */
interface RequestTrace {
  readonly span: Span;
  readonly context: Context;
  /** The error the request failed with, recorded when the answer is a 5xx. */
  error?: unknown;
}

/**
 * The context a request's span starts from: the active one when a span is already active (an HTTP
 * instrumentation's span around the raw request), else the W3C trace context of the request's headers.
 */
function parentContextOf(request: FastifyRequest): Context {
  const active = context.active();
  if (trace.getSpan(active) !== undefined) return active;
  return propagation.extract(active, request.headers);
}

/**
 * Makes a SERVER span for every request of `app` and its plugins, active while the hooks and the
 * handler run (so state store and database spans are its children): named `<METHOD> <route template>`
 * (`PUT /execution/store/ti/:ti_id/*`), or the method alone when no route matched; it continues the trace of an incoming `traceparent`
 * (`propagation.extract`, the global propagator) and carries `http.request.method`, `http.route`,
 * `url.path`, `url.scheme`, `server.address`, `server.port`, `network.protocol.version`,
 * `user_agent.original`, `client.address` and `http.response.status_code`. A 5xx answer sets status
 * ERROR and `error.type` (the error's code, or the status code) and records the exception. Without an
 * OpenTelemetry SDK nothing is recorded and the request runs as before.
 *
 * Call it before registering routes' plugins: its hooks then run first.
 *
 * @param app - the root Fastify instance.
 * @param tracer - the tracer; default the global provider's `@tidemark/core` tracer.
 */
export function installRequestTracing(app: FastifyInstance, tracer: Tracer = tidemarkTracer()): void {
  const traces = new WeakMap<FastifyRequest, RequestTrace>();

  app.addHook("onRequest", (request, _reply, done) => {
    const parent = parentContextOf(request);
    const route = request.routeOptions.url;
    const method = request.method;
    const span = tracer.startSpan(
      route === undefined ? method : `${method} ${route}`,
      { kind: SpanKind.SERVER },
      parent,
    );
    if (!span.isRecording() && !isSpanContextValid(span.spanContext())) {
      done();
      return;
    }
    if (span.isRecording()) {
      const url = request.url;
      const query = url.indexOf("?");
      span.setAttribute("http.request.method", method);
      if (route !== undefined) span.setAttribute("http.route", route);
      span.setAttribute("url.path", query === -1 ? url : url.slice(0, query));
      span.setAttribute("url.scheme", request.protocol);
      const hostname = request.hostname;
      if (hostname !== "") span.setAttribute("server.address", hostname);
      const port = request.port ?? request.socket.localPort;
      if (port !== undefined && port !== null) span.setAttribute("server.port", Number(port));
      span.setAttribute("network.protocol.version", request.raw.httpVersion);
      const userAgent = request.headers["user-agent"];
      if (userAgent !== undefined) span.setAttribute("user_agent.original", userAgent);
      if (request.ip !== undefined) span.setAttribute("client.address", request.ip);
    }
    const active = trace.setSpan(parent, span);
    traces.set(request, { span, context: active });
    context.with(active, done);
  });

  // The body is parsed in the request stream's events, outside the context: enter it again after.
  app.addHook("preValidation", (request, _reply, done) => {
    const found = traces.get(request);
    if (found === undefined) done();
    else context.with(found.context, done);
  });

  app.addHook("onError", (request, _reply, error, done) => {
    const found = traces.get(request);
    if (found !== undefined) found.error = error;
    done();
  });

  app.addHook("onResponse", (request, reply, done) => {
    const found = traces.get(request);
    if (found !== undefined) {
      traces.delete(request);
      const { span } = found;
      const status = reply.statusCode;
      span.setAttribute("http.response.status_code", status);
      if (status >= 500) {
        const error = found.error;
        span.setAttribute("error.type", error === undefined ? String(status) : errorTypeOf(error));
        if (error instanceof Error) span.recordException(error);
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    }
    done();
  });

  app.addHook("onRequestAbort", (request, done) => {
    const found = traces.get(request);
    if (found !== undefined) {
      traces.delete(request);
      found.span.setAttribute("error.type", "aborted");
      found.span.end();
    }
    done();
  });
}
