import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { taskScope } from "@tidemark/state";
import { ExecutionApiClient, TaskStateStoreAccessor } from "@tidemark/task-sdk";
import type { BenchPlan } from "../bench-plan.js";
import { compareFigures, type FigureDraft } from "../report/compare.js";
import type { Figure, MeasuredSection } from "../report/result-types.js";
import { median, toStat } from "../report/stat.js";
import {
  OBSERVABILITY_BOTH_ON,
  OBSERVABILITY_BOTH_ON_SAMPLED,
  observabilityTarget,
  TARGETS,
} from "../report/targets.js";
import { jsonObjectOfBytes } from "../support/json-values.js";
import { dropSchemas, throwawaySchemaName } from "../support/postgres-target.js";
import { type RunningChild, startServerChild } from "../support/server-child.js";
import { withTempDir } from "../support/temp-dir.js";
import { type OperationTiming, runOperations } from "../support/timing.js";
import { CountingMetricsHook } from "./counting-metrics-hook.js";
import {
  OBSERVABILITY_CONFIGURATIONS,
  type ObservabilityConfiguration,
} from "./observability-configurations.js";
import type {
  ObservabilityDatabase,
  ObservabilityServerInput,
  ObservabilityServerReady,
  SpanCounts,
} from "./observability-protocol.js";
import { registerTracing } from "./tracing-sdk.js";

const SERVER = new URL("./observability-server-child.js", import.meta.url);
/** Keys per writer; the warm-up writes them all, so every get finds its key. */
const KEYS_PER_WORKER = 20;
const READINESS_PATH = "/api/v2/monitor/readiness";
const HEALTH_PATH = "/api/v2/monitor/health";
const METRICS_PATH = "/metrics";

/** One configuration's server child, with a task SDK accessor per writer. */
interface Running {
  readonly configuration: ObservabilityConfiguration;
  readonly child: RunningChild<ObservabilityServerReady>;
  readonly accessors: readonly TaskStateStoreAccessor[];
  /** The task SDK metrics hook the writers report to, when metrics are on. */
  readonly hook: CountingMetricsHook | null;
}

/** One kind of measured operation. */
interface Probe {
  /** The figure's operation, after the database label. */
  readonly label: string;
  readonly count: number;
  readonly concurrency: number;
  /** Rounds of runs: each round runs every configuration it applies to once. */
  readonly rounds: number;
  /** Which configurations it applies to. */
  readonly applies: (configuration: ObservabilityConfiguration) => boolean;
  readonly run: (running: Running, sequence: number, worker: number) => Promise<unknown>;
}

interface Sample {
  readonly timing: OperationTiming;
  /** Spans the server exported during the run, per operation. */
  readonly spansPerOp: number;
  readonly spanNames: Readonly<Record<string, number>>;
  /** Spans the task SDK (this process) exported during the run, per operation. */
  readonly clientSpansPerOp: number;
  readonly clientSpanNames: Readonly<Record<string, number>>;
}

const NO_SPANS: SpanCounts = { total: 0, byName: {} };

/** How the observability section reaches Postgres: a URL, or why it was not measured. */
export type ObservabilityPostgres = { readonly url: string } | { readonly skipped: string };

async function spanCounts(running: Running): Promise<SpanCounts> {
  const response = await fetch(`${running.child.ready.controlOrigin}/spans`);
  if (!response.ok) throw new Error(`the span count answered ${response.status}`);
  return (await response.json()) as SpanCounts;
}

function spanDelta(before: SpanCounts, after: SpanCounts): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [name, count] of Object.entries(after.byName)) {
    const added = count - (before.byName[name] ?? 0);
    if (added > 0) delta[name] = added;
  }
  return delta;
}

/**
 * One run of a probe. With tracing on, this process registers the OpenTelemetry SDK for the run (the task
 * SDK asks the global tracer provider on every request) and removes it afterwards.
 */
async function measure(probe: Probe, running: Running, count = probe.count): Promise<Sample> {
  const before = await spanCounts(running);
  const tracing = running.configuration.tracing ? registerTracing(running.configuration.sampleRatio) : null;
  let timing: OperationTiming;
  let client = NO_SPANS;
  try {
    timing = await runOperations(count, probe.concurrency, (sequence, worker) =>
      probe.run(running, sequence, worker),
    );
    if (tracing !== null) {
      await tracing.flush();
      client = tracing.exporter.counts();
    }
  } finally {
    await tracing?.unregister();
  }
  const after = await spanCounts(running);
  return {
    timing,
    spansPerOp: (after.total - before.total) / count,
    spanNames: spanDelta(before, after),
    clientSpansPerOp: client.total / count,
    clientSpanNames: client.byName,
  };
}

/** GETs a path of the API server, failing on any answer but 2xx; resolves to the body's length. */
async function getOk(running: Running, path: string, token: string): Promise<number> {
  const response = await fetch(`${running.child.ready.origin}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const body = await response.text();
  if (!response.ok) {
    throw new Error(`${running.configuration.subject}: GET ${path} answered ${response.status}: ${body}`);
  }
  return body.length;
}

async function statusOf(running: Running, path: string, token: string): Promise<number> {
  const response = await fetch(`${running.child.ready.origin}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await response.arrayBuffer();
  return response.status;
}

function rotated<T>(items: readonly T[], by: number): T[] {
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

function formatSpanNames(names: Readonly<Record<string, number>>, ops: number): string {
  const entries = Object.entries(names).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return "none";
  return entries.map(([name, count]) => `${name} × ${(count / ops).toFixed(2)}`).join(", ");
}

async function startConfigurations(
  directory: string,
  database: (index: number) => ObservabilityDatabase,
  workers: number,
  restToken: string,
): Promise<Running[]> {
  const started = await Promise.allSettled(
    OBSERVABILITY_CONFIGURATIONS.map(async (configuration, index) => {
      const own = join(directory, `configuration-${index}`);
      await mkdir(own, { recursive: true });
      const input: ObservabilityServerInput = {
        directory: own,
        database: database(index),
        metrics: configuration.metrics,
        tracing: configuration.tracing,
        sampleRatio: configuration.sampleRatio,
        workers,
        restToken,
      };
      return startServerChild<ObservabilityServerReady>(SERVER, input);
    }),
  );
  const children = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const failed = started.find((s) => s.status === "rejected");
  if (failed !== undefined) {
    await Promise.allSettled(children.map((c) => c.stop()));
    throw (failed as PromiseRejectedResult).reason;
  }
  return children.map((child, index) => {
    const configuration = OBSERVABILITY_CONFIGURATIONS[index]!;
    const hook = configuration.metrics ? new CountingMetricsHook() : null;
    const baseUrl = `${child.ready.origin}/execution`;
    return {
      configuration,
      child,
      hook,
      accessors: child.ready.workers.map(
        (w) =>
          new TaskStateStoreAccessor({
            client: new ExecutionApiClient({
              baseUrl,
              token: w.token,
              ...(hook === null ? {} : { metrics: hook }),
            }),
            taskInstanceId: w.taskInstanceId,
            scope: taskScope(w.scope),
          }),
      ),
    };
  });
}

/**
 * Measures one database: starts the five configurations' servers, warms each up, then runs every probe
 * in rounds (each round runs every configuration once, the order rotating by one each round).
 */
async function measureDatabase(
  label: string,
  kind: ObservabilityDatabase["kind"],
  plan: BenchPlan,
  directory: string,
  database: (index: number) => ObservabilityDatabase,
  log: (line: string) => void,
): Promise<{ figures: Figure[]; notes: string[] }> {
  const value = jsonObjectOfBytes(plan.valueBytes);
  const writers = Math.max(...plan.observabilityConcurrency);
  const restToken = randomBytes(16).toString("base64url");
  const runnings = await startConfigurations(directory, database, writers, restToken);
  const notes: string[] = [];
  try {
    const set = (concurrency: number): Probe => {
      const count = plan.observabilitySetOps[kind][concurrency];
      if (count === undefined) throw new Error(`the plan sizes no ${kind} sets at ${concurrency} writers`);
      return {
        label: `set c=${concurrency}`,
        count,
        concurrency,
        rounds: plan.observabilityRounds,
        applies: () => true,
        run: (running, sequence, worker) =>
          running.accessors[worker]!.set(`key-${sequence % KEYS_PER_WORKER}`, value),
      };
    };
    const probes: Probe[] = plan.observabilityConcurrency.map(set);
    probes.push({
      label: "get c=1",
      count: plan.observabilityProbeOps,
      concurrency: 1,
      rounds: plan.observabilityProbeRounds,
      applies: () => true,
      run: async (running, sequence, worker) => {
        const key = `key-${sequence % KEYS_PER_WORKER}`;
        if ((await running.accessors[worker]!.get(key)) === undefined) throw new Error(`${key} is missing`);
      },
    });

    const baseline = runnings[0]!;
    const monitorPath = (await statusOf(baseline, READINESS_PATH, restToken)) !== 404 ? READINESS_PATH : null;
    const healthPath =
      monitorPath === null && (await statusOf(baseline, HEALTH_PATH, restToken)) !== 404 ? HEALTH_PATH : null;
    const probePath = monitorPath ?? healthPath;
    if (probePath === null) {
      const reason = `readiness not measured: GET ${READINESS_PATH} and ${HEALTH_PATH} answer 404 on this build`;
      log(`  ${label}: ${reason}`);
      notes.push(`${label}: ${reason}.`);
    } else {
      if (probePath === HEALTH_PATH) {
        const reason = `GET ${READINESS_PATH} answers 404 on this build; the health route stands in for it`;
        log(`  ${label}: ${reason}`);
        notes.push(`${label}: ${reason}.`);
      }
      probes.push({
        label: `GET ${probePath.replace("/api/v2/monitor/", "")}`,
        count: plan.observabilityProbeOps,
        concurrency: 1,
        rounds: plan.observabilityProbeRounds,
        applies: () => true,
        run: (running) => getOk(running, probePath, restToken),
      });
    }

    const metricsOn = runnings.find((r) => r.configuration.metrics)!;
    const metricsStatus = await statusOf(metricsOn, METRICS_PATH, restToken);
    const offStatus = await statusOf(baseline, METRICS_PATH, restToken);
    if (metricsStatus === 404) {
      const reason = `scrape not measured: GET ${METRICS_PATH} answers 404 with api.metrics = true on this build`;
      log(`  ${label}: ${reason}`);
      notes.push(`${label}: ${reason}.`);
    } else {
      probes.push({
        label: `GET ${METRICS_PATH}`,
        count: plan.observabilityProbeOps,
        concurrency: 1,
        rounds: plan.observabilityProbeRounds,
        applies: (c) => c.metrics,
        run: (running) => getOk(running, METRICS_PATH, restToken),
      });
    }
    if (offStatus !== 404) {
      notes.push(
        `${label}: GET ${METRICS_PATH} answered ${offStatus} with api.metrics = false (expected 404).`,
      );
    }

    // Warm-up: every writer writes all its keys, then sets at the highest level and every probe.
    for (const running of runnings) {
      await Promise.all(
        running.accessors.map(async (accessor) => {
          for (let k = 0; k < KEYS_PER_WORKER; k++) await accessor.set(`key-${k}`, value);
        }),
      );
      for (const probe of probes) {
        if (!probe.applies(running.configuration)) continue;
        const count = probe.label.startsWith("set") ? plan.observabilityWarmup : plan.observabilityProbeOps;
        await measure(probe, running, count);
      }
    }

    const figures: Figure[] = [];
    for (const probe of probes) {
      const samples = new Map<Running, Sample[]>(runnings.map((r) => [r, []]));
      const applying = runnings.filter((r) => probe.applies(r.configuration));
      for (let round = 0; round < probe.rounds; round++) {
        for (const running of rotated(applying, round))
          samples.get(running)!.push(await measure(probe, running));
      }
      const operation = `${label}: ${probe.label}`;
      const drafts: FigureDraft[] = applying.map((running) => {
        const runs = samples.get(running)!;
        return {
          operation,
          subject: running.configuration.subject,
          role: running.configuration.role,
          primary: "throughput",
          metrics: {
            throughput: toStat(
              runs.map((s) => s.timing.opsPerSecond),
              "ops/s",
            ),
            p50: toStat(
              runs.map((s) => s.timing.p50Ms),
              "ms",
            ),
            p99: toStat(
              runs.map((s) => s.timing.p99Ms),
              "ms",
            ),
            spans: toStat(
              runs.map((s) => s.spansPerOp),
              "spans/op",
            ),
            clientSpans: toStat(
              runs.map((s) => s.clientSpansPerOp),
              "spans/op",
            ),
          },
        };
      });
      const compared = compareFigures(drafts, observabilityTarget, { pairedByRound: true });
      figures.push(...compared);

      const describe = (running: Running) => {
        const runs = samples.get(running)!;
        return `${running.configuration.subject} ${Math.round(median(runs.map((s) => s.timing.opsPerSecond)))} ops/s (p50 ${median(runs.map((s) => s.timing.p50Ms)).toFixed(3)} ms, p99 ${median(runs.map((s) => s.timing.p99Ms)).toFixed(3)} ms, spans/op ${median(runs.map((s) => s.spansPerOp)).toFixed(2)} server + ${median(runs.map((s) => s.clientSpansPerOp)).toFixed(2)} client)`;
      };
      log(`  ${operation}: ${applying.map(describe).join("; ")}`);
      for (const subject of [OBSERVABILITY_BOTH_ON, OBSERVABILITY_BOTH_ON_SAMPLED]) {
        const ceiling = compared.find((f) => f.subject === subject)?.ceiling;
        if (ceiling?.paired === undefined) continue;
        const { paired } = ceiling;
        const verdict = probe.label.startsWith("set")
          ? paired.median >= TARGETS.minObservabilityRatio
            ? ` (meets ≥ ${TARGETS.minObservabilityRatio}×)`
            : ` (misses ≥ ${TARGETS.minObservabilityRatio}×)`
          : "";
        log(
          `  ${operation}: ${subject} / both off ${paired.median.toFixed(3)}× paired by round (${paired.min.toFixed(3)}–${paired.max.toFixed(3)} over ${paired.samples.length} rounds)${verdict}, ${ceiling.ratio.toFixed(3)}× of the medians`,
        );
      }
      for (const running of applying.filter((r) => r.configuration.tracing)) {
        const runs = samples.get(running)!;
        if (runs.every((s) => s.spansPerOp === 0)) {
          const warning = `${operation}: ${running.configuration.subject} recorded no spans (the server makes none, or its tracers stayed no-op after the SDK was registered)`;
          log(`  warning: ${warning}`);
          notes.push(`${warning}.`);
        } else if (probe.label === "set c=1") {
          const last = runs.at(-1)!;
          notes.push(
            `${label}: spans per set with ${running.configuration.subject}: server ${formatSpanNames(last.spanNames, probe.count)}; task SDK ${formatSpanNames(last.clientSpanNames, probe.count)}.`,
          );
        }
      }
    }
    for (const running of runnings) {
      if (running.hook === null) continue;
      notes.push(
        `${label}: the task SDK metrics hook of ${running.configuration.subject} counted ${running.hook.requests} requests, ${running.hook.values} values written (${running.hook.bytes} bytes) and ${running.hook.retries} retries.`,
      );
    }
    return { figures, notes };
  } finally {
    await Promise.allSettled(runnings.map((r) => r.child.stop()));
  }
}

/**
 * The cost of observability end to end: the Tidemark API server (createApiServer, logging off) with
 * `api.metrics` off or on and the OpenTelemetry SDK registered or not (every trace sampled, or 10% of
 * them in an additional configuration), five configurations each in its own
 * server process, driven by task SDK writers (TaskStateStoreAccessor, one task instance and token each)
 * in this process, with the task SDK's metrics hook and tracing following the configuration. Measures task-state set at each concurrency level, get, the readiness round trip and a
 * `/metrics` scrape, in rounds over the five configurations, on a SQLite file and on Postgres unless it
 * is unreachable. The target: set throughput with both on ≥ 0.9× both off, judged on the median of the
 * rounds' paired ratios; the 10%-sampled configuration is judged against the same line, as an additional
 * figure.
 *
 * @param plan - sizes.
 * @param postgres - the Postgres URL, or why it is not measured.
 * @param log - progress lines.
 * @returns the section.
 */
export async function observabilitySection(
  plan: BenchPlan,
  postgres: ObservabilityPostgres,
  log: (line: string) => void,
): Promise<MeasuredSection> {
  const started = performance.now();
  const figures: Figure[] = [];
  const notes: string[] = [];
  const byDatabase: string[] = [];
  await withTempDir("observability", async (directory) => {
    const sqlite = await measureDatabase(
      "SQLite",
      "sqlite",
      plan,
      join(directory, "sqlite"),
      () => ({ kind: "sqlite" }),
      log,
    );
    figures.push(...sqlite.figures);
    byDatabase.push(...sqlite.notes);
    if ("skipped" in postgres) {
      notes.push(`Postgres not measured: ${postgres.skipped}.`);
      return;
    }
    const schemas = OBSERVABILITY_CONFIGURATIONS.map(() => throwawaySchemaName("observability"));
    try {
      const result = await measureDatabase(
        "Postgres",
        "postgres",
        plan,
        join(directory, "postgres"),
        (index) => ({ kind: "postgres", url: postgres.url, schema: schemas[index]! }),
        log,
      );
      figures.push(...result.figures);
      byDatabase.push(...result.notes);
    } finally {
      await dropSchemas(postgres.url, schemas);
    }
  });
  const value = JSON.stringify(jsonObjectOfBytes(plan.valueBytes));
  return {
    id: "observability",
    title: "Observability cost end to end: metrics and tracing on and off (loopback HTTP)",
    status: "ok",
    notes: [
      `TaskStateStoreAccessor.set / get of a ${value.length}-byte JSON value by c task SDK writers (each its own task instance, token and ExecutionApiClient) against the Tidemark API server (createApiServer, logging off); readiness and /metrics are plain GETs; per run ${plan.observabilityConcurrency.map((c) => `${plan.observabilitySetOps.sqlite[c]} / ${plan.observabilitySetOps.postgres[c]} sets at c=${c}`).join(", ")} (SQLite / Postgres, over a second each), ${plan.observabilityProbeOps} other requests.`,
      `Five configurations, each its own server process started the same way, the task SDK writers in the benchmark process: ${OBSERVABILITY_CONFIGURATIONS.map((c) => c.subject).join("; ")}. Metrics: api.metrics, and the writers' ExecutionApiClient gets a metrics hook (in-memory counters). Tracing: the OpenTelemetry SDK (BasicTracerProvider, BatchSpanProcessor with its defaults, an exporter that counts and drops the spans, AsyncLocalStorage context manager, W3C trace-context propagator), registered in the server process after the server was built, and in the benchmark process for that configuration's runs only, so each set is one trace from the task SDK's span through the server's; never in the other processes. Every trace is sampled (the SDK's default sampler), except in "${OBSERVABILITY_BOTH_ON_SAMPLED}": ParentBasedSampler over TraceIdRatioBasedSampler(0.1) in both processes, so the task SDK samples 10% of the traces it starts and the server follows the sampled flag in traceparent (readiness and scrapes, which carry none, start their own traces at 10%). That one is an additional figure: the target is about every trace sampled.`,
      `${plan.observabilityRounds} rounds of sets (${plan.observabilityProbeRounds} of the other requests) after a warm-up; each round runs every configuration once, the order rotating by one each round; median of the rounds. × ceiling paired by round is the median (min–max) of each round's throughput ratio to both off in the same round, which cancels the machine's drift between rounds; × ceiling of the medians divides the medians. The target is set throughput with both on ≥ 0.9× both off, on the paired median. spans/op counts the spans the exporters received, per request.`,
      ...notes,
      ...byDatabase,
    ],
    columns: [
      { metric: "throughput", heading: "ops/s" },
      { metric: "p50", heading: "p50 ms" },
      { metric: "p99", heading: "p99 ms" },
      { metric: "spans", heading: "server spans/op" },
      { metric: "clientSpans", heading: "task SDK spans/op" },
    ],
    figures,
    durationMs: performance.now() - started,
  };
}
