import { taskScope } from "@tidemark/state";
import { ExecutionApiClient, TaskStateStoreAccessor } from "@tidemark/task-sdk";
import type { BenchPlan } from "../bench-plan.js";
import { compareFigures } from "../report/compare.js";
import type { Figure, MeasuredSection } from "../report/result-types.js";
import { median, toStat } from "../report/stat.js";
import { endToEndTarget } from "../report/targets.js";
import { jsonObjectOfBytes } from "../support/json-values.js";
import { startServerChild } from "../support/server-child.js";
import { withTempDir } from "../support/temp-dir.js";
import { type OperationTiming, runOperations } from "../support/timing.js";
import type { EndToEndServerInput, EndToEndServerReady } from "./server-protocol.js";

const SERVER = new URL("./server-child.js", import.meta.url);
/** Keys per worker; the warm-up writes them all, so every get finds its key. */
const KEYS_PER_WORKER = 20;

interface Target {
  readonly subject: string;
  readonly role: "subject" | "ceiling";
  readonly accessors: readonly TaskStateStoreAccessor[];
}

function accessorsFor(baseUrl: string, ready: EndToEndServerReady): TaskStateStoreAccessor[] {
  return ready.workers.map(
    (w) =>
      new TaskStateStoreAccessor({
        client: new ExecutionApiClient({ baseUrl, token: w.token }),
        taskInstanceId: w.taskInstanceId,
        scope: taskScope(w.scope),
      }),
  );
}

async function measure(
  target: Target,
  operation: "set" | "get",
  count: number,
  concurrency: number,
  value: unknown,
): Promise<OperationTiming> {
  return runOperations(count, concurrency, async (sequence, worker) => {
    const accessor = target.accessors[worker]!;
    const key = `key-${sequence % KEYS_PER_WORKER}`;
    if (operation === "set") return accessor.set(key, value);
    const read = await accessor.get(key);
    if (read === undefined) throw new Error(`${target.subject}: ${key} of worker ${worker} is missing`);
    return read;
  });
}

/**
 * End to end through the Execution API on loopback: TaskStateStoreAccessor set and get with 1, 8 and 64
 * concurrent workers (each its own task instance and token) against the Tidemark API server, beside the
 * same accessor against a Fastify server whose routes do no work (the HTTP ceiling). Both servers run in
 * one child process; the clients run here.
 *
 * @param plan - sizes.
 * @param log - progress lines.
 * @returns the section.
 */
export async function endToEndSection(
  plan: BenchPlan,
  log: (line: string) => void,
): Promise<MeasuredSection> {
  const started = performance.now();
  const value = jsonObjectOfBytes(plan.valueBytes);
  const workers = Math.max(...plan.concurrency);
  return withTempDir("e2e", async (directory) => {
    const input: EndToEndServerInput = { directory, workers, value };
    const server = await startServerChild<EndToEndServerReady>(SERVER, input);
    try {
      const { ready } = server;
      const targets: Target[] = [
        {
          subject: "TaskStateStoreAccessor → Tidemark API server (SQLite)",
          role: "subject",
          accessors: accessorsFor(ready.apiUrl, ready),
        },
        {
          subject: "same accessor → no-op Fastify route",
          role: "ceiling",
          accessors: accessorsFor(ready.noopUrl, ready),
        },
      ];
      for (const target of targets) {
        // Warm-up: every worker writes all its keys, then a round of gets (connections, JIT, caches).
        await Promise.all(
          target.accessors.map(async (accessor) => {
            for (let k = 0; k < KEYS_PER_WORKER; k++) await accessor.set(`key-${k}`, value);
          }),
        );
        await measure(target, "get", plan.endToEndWarmup, Math.min(8, workers), value);
      }
      const figures: Figure[] = [];
      for (const operation of ["set", "get"] as const) {
        for (const concurrency of plan.concurrency) {
          const timings = new Map<Target, OperationTiming[]>(targets.map((t) => [t, []]));
          for (let run = 0; run < plan.endToEndRuns; run++) {
            const order = run % 2 === 0 ? targets : [...targets].reverse();
            for (const target of order) {
              timings
                .get(target)!
                .push(await measure(target, operation, plan.endToEndOps, concurrency, value));
            }
          }
          const label = `${operation} c=${concurrency}`;
          const api = timings.get(targets[0]!)!;
          log(
            `  ${label}: ${Math.round(median(api.map((t) => t.opsPerSecond)))} ops/s, p50 ${median(api.map((t) => t.p50Ms)).toFixed(3)} ms`,
          );
          figures.push(
            ...compareFigures(
              targets.map((target) => {
                const runs = timings.get(target)!;
                return {
                  operation: label,
                  subject: target.subject,
                  role: target.role,
                  primary: "throughput",
                  metrics: {
                    throughput: toStat(
                      runs.map((t) => t.opsPerSecond),
                      "ops/s",
                    ),
                    p50: toStat(
                      runs.map((t) => t.p50Ms),
                      "ms",
                    ),
                    p99: toStat(
                      runs.map((t) => t.p99Ms),
                      "ms",
                    ),
                  },
                };
              }),
              endToEndTarget,
            ),
          );
        }
      }
      return {
        id: "end_to_end",
        title: "End to end through the Execution API (loopback HTTP)",
        status: "ok",
        notes: [
          `TaskStateStoreAccessor.set / get of a ${JSON.stringify(value).length}-byte JSON value; c workers, each its own task instance, token and ExecutionApiClient (global fetch, keep-alive); ${plan.endToEndOps} operations per run; median of ${plan.endToEndRuns} runs, interleaved with the ceiling.`,
          "The Tidemark API server (createApiServer, SQLite metastore in WAL, logging off) and the no-op Fastify server run in one child process, the clients in the benchmark process: two processes on loopback.",
          "Each set verifies the HS256 token, looks up the task instance, validates and encodes the value and upserts it; the ceiling's routes do nothing beyond Fastify's routing and JSON body parsing.",
        ],
        columns: [
          { metric: "throughput", heading: "ops/s" },
          { metric: "p50", heading: "p50 ms" },
          { metric: "p99", heading: "p99 ms" },
        ],
        figures,
        durationMs: performance.now() - started,
      };
    } finally {
      await server.stop();
    }
  });
}
