import type {
  StateStoreInstrumentation,
  StateStoreOperationInfo,
  StateStoreValueWritten,
} from "@tidemark/state";
import { Counter, Histogram, type Registry } from "prom-client";
import { inCliRequest } from "./cli-request-context.js";
import { failedOperationOutcome } from "./state-store-outcome.js";

/**
 * Which API a state store operation came through: the Execution API (workers), the Core REST API, or the
 * Core REST API driven by the tidemark CLI (`--api-url`).
 */
export type StateStoreApi = "execution" | "rest" | "cli";

type Child = { inc(value?: number): void };
type HistogramChild = { observe(value: number): void };

/** Durations of state store operations, in seconds: a metastore round trip up to a slow offload. */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Value sizes in bytes, 64 B to 16 MiB by fours. */
const SIZE_BUCKETS = [64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216];

/** The series of one (operation, scope, backend), resolved once. */
interface OperationSeries {
  readonly duration: HistogramChild;
  readonly outcomes: Map<string, Child>;
  readonly conflicts: Child | undefined;
  readonly api: string;
  readonly labels: readonly [string, string, string];
}

/** The series of one scope's written values. */
interface ValueSeries {
  readonly size: HistogramChild;
  readonly offloaded: Child;
  readonly offloadedBytes: Child;
}

/**
 * The state store metrics of one api-server, fed through the state store's instrumentation seam:
 * operations by API, operation, scope, backend and outcome, their duration, written value sizes,
 * offloaded values and compare-and-set conflicts. Series are resolved once per label combination and
 * reused, so an operation costs a map lookup and two increments.
 */
export class StateStoreMetrics {
  readonly #operations: Counter<"api" | "operation" | "scope" | "backend" | "outcome">;
  readonly #durations: Histogram<"api" | "operation" | "scope" | "backend">;
  readonly #sizes: Histogram<"api" | "scope">;
  readonly #offloaded: Counter<"api" | "scope">;
  readonly #offloadedBytes: Counter<"api" | "scope">;
  readonly #conflicts: Counter<"api" | "scope">;
  readonly #instrumentations = new Map<StateStoreApi, StateStoreInstrumentation>();

  /** @param registry - the server's registry the metrics register in. */
  constructor(registry: Registry) {
    const registers = [registry];
    this.#operations = new Counter({
      name: "tidemark_state_store_operations_total",
      help: "State store operations, by API (execution, rest, cli), operation, scope (task, asset, none), backend and outcome (ok, not_found, conflict, too_large, or the error code lowercased).",
      labelNames: ["api", "operation", "scope", "backend", "outcome"],
      registers,
    });
    this.#durations = new Histogram({
      name: "tidemark_state_store_operation_duration_seconds",
      help: "Duration of state store operations in seconds, by API, operation, scope and backend.",
      labelNames: ["api", "operation", "scope", "backend"],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.#sizes = new Histogram({
      name: "tidemark_state_store_value_size_bytes",
      help: "Size of written values in bytes (UTF-8 JSON text as stored; a reference envelope for an offloaded value), by API and scope.",
      labelNames: ["api", "scope"],
      buckets: SIZE_BUCKETS,
      registers,
    });
    this.#offloaded = new Counter({
      name: "tidemark_state_store_offloaded_values_total",
      help: "Written values a worker offloaded to its worker backend (the metastore holds a reference envelope), by API and scope.",
      labelNames: ["api", "scope"],
      registers,
    });
    this.#offloadedBytes = new Counter({
      name: "tidemark_state_store_offloaded_bytes_total",
      help: "Bytes of the reference envelopes stored for offloaded values, by API and scope.",
      labelNames: ["api", "scope"],
      registers,
    });
    this.#conflicts = new Counter({
      name: "tidemark_state_store_cas_conflicts_total",
      help: "Conditional writes and deletes (If-Match, If-None-Match, ifVersion, ifAbsent) that lost: the key had changed, or existed.",
      labelNames: ["api", "scope"],
      registers,
    });
  }

  /**
   * The instrumentation for one API's state store (`StateStoreSettings.instrumentation`), made once per
   * API.
   *
   * @param api - the API the store serves.
   * @returns the instrumentation.
   */
  forApi(api: StateStoreApi): StateStoreInstrumentation {
    let instrumentation = this.#instrumentations.get(api);
    if (instrumentation === undefined) {
      instrumentation = this.#instrumentationFor(api);
      this.#instrumentations.set(api, instrumentation);
    }
    return instrumentation;
  }

  /**
   * The instrumentation for the Core REST API's state store: each operation counts as `cli` when it
   * serves a request of the tidemark CLI (see `installCliRequestContext`), else as `rest`.
   *
   * @returns the instrumentation.
   */
  forRestRequests(): StateStoreInstrumentation {
    const rest = this.forApi("rest");
    const cli = this.forApi("cli");
    return {
      operation: (info, run) => (inCliRequest() ? cli : rest).operation(info, run),
      valueWritten: (value) => (inCliRequest() ? cli : rest).valueWritten?.(value),
    };
  }

  #instrumentationFor(api: StateStoreApi): StateStoreInstrumentation {
    const series = new Map<string, OperationSeries>();
    const values = new Map<string, ValueSeries>();
    const seriesOf = (info: StateStoreOperationInfo): OperationSeries => {
      const scope = info.scope ?? "none";
      const key = `${info.operation}\u0000${scope}\u0000${info.backend}\u0000${info.conditional}`;
      let found = series.get(key);
      if (found === undefined) {
        found = {
          duration: this.#durations.labels(api, info.operation, scope, info.backend),
          outcomes: new Map(),
          conflicts:
            info.conditional && info.scope !== null ? this.#conflicts.labels(api, info.scope) : undefined,
          api,
          labels: [info.operation, scope, info.backend],
        };
        series.set(key, found);
      }
      return found;
    };
    const count = (found: OperationSeries, outcome: string): void => {
      let child = found.outcomes.get(outcome);
      if (child === undefined) {
        child = this.#operations.labels(found.api, ...found.labels, outcome);
        found.outcomes.set(outcome, child);
      }
      child.inc();
      if (outcome === "conflict") found.conflicts?.inc();
    };
    return {
      operation<T>(info: StateStoreOperationInfo, run: () => Promise<T>): Promise<T> {
        const found = seriesOf(info);
        const started = performance.now();
        const done = (outcome: string): void => {
          found.duration.observe((performance.now() - started) / 1000);
          count(found, outcome);
        };
        let pending: Promise<T>;
        try {
          pending = run();
        } catch (error) {
          done(failedOperationOutcome(error));
          throw error;
        }
        return pending.then(
          (result) => {
            done(result === null && info.operation === "get" ? "not_found" : "ok");
            return result;
          },
          (error: unknown) => {
            done(failedOperationOutcome(error));
            throw error;
          },
        );
      },
      valueWritten: (value: StateStoreValueWritten): void => {
        let found = values.get(value.scope);
        if (found === undefined) {
          found = {
            size: this.#sizes.labels(api, value.scope),
            offloaded: this.#offloaded.labels(api, value.scope),
            offloadedBytes: this.#offloadedBytes.labels(api, value.scope),
          };
          values.set(value.scope, found);
        }
        found.size.observe(value.bytes);
        if (value.offloaded) {
          found.offloaded.inc();
          found.offloadedBytes.inc(value.bytes);
        }
      },
    };
  }
}
