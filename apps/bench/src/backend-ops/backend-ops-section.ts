import type { BenchPlan } from "../bench-plan.js";
import { compareFigures } from "../report/compare.js";
import type { Figure, MeasuredSection, SectionId } from "../report/result-types.js";
import { toStat } from "../report/stat.js";
import { backendTarget } from "../report/targets.js";
import { jsonObjectOfBytes } from "../support/json-values.js";
import { runOperations, seededRandom } from "../support/timing.js";
import type { KvSubject } from "./kv-subject.js";

/** The operations measured, in order. */
const OPERATIONS = ["set", "get", "mix 50/50"] as const;

function keyName(index: number): string {
  return `key-${index.toString().padStart(6, "0")}`;
}

/**
 * Measures set, get and a 50/50 mix on each subject: every key is written once first (the warm-up),
 * then each run does `plan.backendOps` operations one at a time on random keys (the same sequence for
 * every subject). Runs are interleaved (run 1 of every subject, then run 2, …, in rotating order), so
 * a burst of load on the machine hits all subjects alike.
 *
 * @param options - section id and title, the plan, the subjects (one ceiling, one peer, one subject),
 *   and `log` for progress lines.
 * @returns the section with one figure per subject and operation.
 */
export async function measureBackendOps(options: {
  id: SectionId;
  title: string;
  plan: BenchPlan;
  subjects: readonly KvSubject[];
  log: (line: string) => void;
}): Promise<MeasuredSection> {
  const { plan, subjects, log } = options;
  const started = performance.now();
  const values = Array.from({ length: 64 }, (_, i) => jsonObjectOfBytes(plan.valueBytes, i));
  const bytes = JSON.stringify(values[0]).length;
  for (const subject of subjects) {
    const warm = await runOperations(plan.backendKeys, 1, (i) =>
      subject.set(keyName(i), values[i % values.length]!),
    );
    log(`  warm-up ${subject.name}: ${plan.backendKeys} keys at ${Math.round(warm.opsPerSecond)} ops/s`);
  }
  const figures: Figure[] = [];
  for (const operation of OPERATIONS) {
    const samples = new Map<KvSubject, number[]>(subjects.map((s) => [s, []]));
    for (let run = 0; run < plan.backendRuns; run++) {
      const order = subjects.map((_, i) => subjects[(i + run) % subjects.length]!);
      for (const subject of order) {
        const random = seededRandom(1000 * run + OPERATIONS.indexOf(operation));
        const timing = await runOperations(plan.backendOps, 1, async (i) => {
          const key = keyName(Math.floor(random() * plan.backendKeys));
          const write = operation === "set" || (operation === "mix 50/50" && random() < 0.5);
          if (write) return subject.set(key, values[i % values.length]!);
          const value = await subject.get(key);
          if (value === undefined) throw new Error(`${subject.name} lost ${key}`);
          return value;
        });
        samples.get(subject)!.push(timing.opsPerSecond);
      }
    }
    figures.push(
      ...compareFigures(
        subjects.map((subject) => ({
          operation,
          subject: subject.name,
          role: subject.role,
          primary: "throughput",
          metrics: { throughput: toStat(samples.get(subject)!, "ops/s") },
        })),
        backendTarget,
      ),
    );
  }
  return {
    id: options.id,
    title: options.title,
    status: "ok",
    notes: [
      `${plan.backendKeys} keys of ${bytes}-byte JSON values, all written once before measuring (warm-up); each run is ${plan.backendOps} operations one at a time on random keys; median of ${plan.backendRuns} interleaved runs.`,
      "Every subject takes a JSON object and returns it parsed (JSON.stringify / JSON.parse around the raw drivers and MetastoreBackend; Keyv serializes by itself).",
      "The raw ceiling runs the same SQL MetastoreBackend does (dag run resolved inside the statement, version bump, expiry check, affected-row count instead of RETURNING) as hand-written prepared statements on the task_state_store table created by core's migrations (on Postgres: named statements; on MySQL: mysql2 server-side prepared statements; one connection each).",
    ],
    columns: [{ metric: "throughput", heading: "ops/s" }],
    figures,
    durationMs: performance.now() - started,
  };
}
