import type { EndToEndWorker } from "../end-to-end/server-protocol.js";

/** The metastore an observability server child uses. */
export type ObservabilityDatabase =
  | { readonly kind: "sqlite" }
  | { readonly kind: "postgres"; readonly url: string; readonly schema: string };

/** What one observability server child is asked to set up: one configuration of the comparison. */
export interface ObservabilityServerInput {
  /** Working directory: the SQLite metastore (when SQLite) and `.tidemark/` live here. */
  readonly directory: string;
  readonly database: ObservabilityDatabase;
  /** `api.metrics`. */
  readonly metrics: boolean;
  /** Register the OpenTelemetry SDK (counting exporter) after the server is built. */
  readonly tracing: boolean;
  /**
   * With tracing, the fraction of root traces sampled: 1 is the SDK's default (all); below 1, a
   * parent-based ratio sampler, so requests follow the `traceparent` sampled flag of the task SDK's trace.
   */
  readonly sampleRatio: number;
  /** Task instances to create, one per concurrent worker. */
  readonly workers: number;
  /** A Core REST API bearer token the child accepts (for the monitor routes, should they ask for one). */
  readonly restToken: string;
}

/** What the child's control endpoint (`GET /spans`) answers: spans exported so far, by name. */
export interface SpanCounts {
  /** Spans the exporter received (after a flush), in all. */
  readonly total: number;
  /** The same, by span name. */
  readonly byName: Readonly<Record<string, number>>;
}

/** What the child prints (one JSON line) once it listens. */
export interface ObservabilityServerReady {
  /** The API server's origin, for example `http://127.0.0.1:43817`. */
  readonly origin: string;
  /** The control endpoint's origin (`GET /spans`), served apart from the API server so it is not traced. */
  readonly controlOrigin: string;
  readonly workers: readonly EndToEndWorker[];
}
