import type { Figure, TargetResult } from "./result-types.js";

type Compared = Omit<Figure, "target">;

/** The issue's targets, in one place. */
export const TARGETS = Object.freeze({
  /** MetastoreBackend at least this fraction of its raw driver's ops/s. */
  minRatioToRawDriver: 0.7,
  /** MetastoreBackend at least this multiple of Keyv's ops/s. */
  minRatioToKeyv: 1.5,
  /** End-to-end set p50 at concurrency 1 under this many milliseconds. */
  maxEndToEndSetP50Ms: 1,
  /** No writer waits longer than this during a cleanup sweep, in milliseconds. */
  maxWriterWaitMs: 250,
  /** Object storage with compression off at least this fraction of the raw calls' throughput. */
  minObjectStorageRatio: 0.9,
  /** End-to-end set throughput with metrics and tracing on at least this fraction of both off. */
  minObservabilityRatio: 0.9,
});

/** The subject of the observability section that the target judges (every trace sampled). */
export const OBSERVABILITY_BOTH_ON = "metrics and tracing on";

/**
 * Both on with 10% of traces sampled: judged against the same line as an additional, labelled figure; the
 * target itself is about full sampling.
 */
export const OBSERVABILITY_BOTH_ON_SAMPLED = "metrics and tracing on, 10% of traces sampled";

const x = (n: number) => `${n.toFixed(2)}×`;

/**
 * MetastoreBackend ≥ 0.7× its raw driver and ≥ 1.5× Keyv.
 *
 * @returns the target result (missed names each shortfall and the speed-up needed).
 */
export function backendTarget(figure: Compared): TargetResult | null {
  if (figure.ceiling === null || figure.peer === null) return null;
  const goal = `≥ ${TARGETS.minRatioToRawDriver}× raw, ≥ ${TARGETS.minRatioToKeyv}× Keyv`;
  const misses: string[] = [];
  const { ratio: raw } = figure.ceiling;
  const { ratio: keyv } = figure.peer;
  if (raw < TARGETS.minRatioToRawDriver) {
    misses.push(`${x(raw)} raw (needs ${Math.ceil((TARGETS.minRatioToRawDriver / raw - 1) * 100)}% more)`);
  }
  if (keyv < TARGETS.minRatioToKeyv) {
    misses.push(`${x(keyv)} Keyv (needs ${Math.ceil((TARGETS.minRatioToKeyv / keyv - 1) * 100)}% more)`);
  }
  return misses.length === 0
    ? { goal, status: "met", detail: `${x(raw)} raw, ${x(keyv)} Keyv` }
    : { goal, status: "missed", detail: misses.join("; ") };
}

/**
 * End-to-end set p50 under 1 ms at concurrency 1 (judged on the median of the runs' p50).
 *
 * @returns the target result, or null for other operations.
 */
export function endToEndTarget(figure: Compared): TargetResult | null {
  if (figure.operation !== "set c=1") return null;
  const p50 = figure.metrics.p50?.median;
  if (p50 === undefined) return null;
  const goal = `p50 < ${TARGETS.maxEndToEndSetP50Ms} ms`;
  return p50 < TARGETS.maxEndToEndSetP50Ms
    ? { goal, status: "met", detail: `p50 ${p50.toFixed(3)} ms` }
    : {
        goal,
        status: "missed",
        detail: `p50 ${p50.toFixed(3)} ms (${(p50 - TARGETS.maxEndToEndSetP50Ms).toFixed(3)} ms over)`,
      };
}

/**
 * No writer waits more than 250 ms during a cleanup sweep (judged on the worst run, not the median).
 *
 * @returns the target result.
 */
export function cleanupTarget(figure: Compared): TargetResult | null {
  const wait = figure.metrics.maxWriterWait?.max;
  if (wait === undefined) return null;
  const goal = `max writer wait ≤ ${TARGETS.maxWriterWaitMs} ms`;
  return wait <= TARGETS.maxWriterWaitMs
    ? { goal, status: "met", detail: `worst ${wait.toFixed(1)} ms` }
    : {
        goal,
        status: "missed",
        detail: `worst ${wait.toFixed(1)} ms (${(wait - TARGETS.maxWriterWaitMs).toFixed(1)} ms over)`,
      };
}

/**
 * Object storage within 10% of the raw calls with compression off (others have no target).
 *
 * @returns the target result, or null for compressed figures.
 */
export function objectStorageTarget(figure: Compared): TargetResult | null {
  if (figure.ceiling === null || !figure.subject.includes("gzip off")) return null;
  const goal = `≥ ${TARGETS.minObjectStorageRatio}× raw`;
  const { ratio } = figure.ceiling;
  return ratio >= TARGETS.minObjectStorageRatio
    ? { goal, status: "met", detail: `${x(ratio)} raw` }
    : {
        goal,
        status: "missed",
        detail: `${ratio.toFixed(3)}× raw (${((1 - ratio) * 100).toFixed(1)}% slower, target allows ${Math.round((1 - TARGETS.minObjectStorageRatio) * 100)}%)`,
      };
}

/**
 * End-to-end set throughput with metrics and tracing on ≥ 0.9× of both off (the ceiling), judged on the
 * median of the rounds' paired ratios when the runs were paired by round (else the ratio of the medians,
 * which the detail gives beside it); the same line for both on with 10% of traces sampled, labelled as
 * such. Other observability figures have no target.
 *
 * @returns the target result, or null for other operations and subjects.
 */
export function observabilityTarget(figure: Compared): TargetResult | null {
  const sampled = figure.subject === OBSERVABILITY_BOTH_ON_SAMPLED;
  if (figure.ceiling === null || (figure.subject !== OBSERVABILITY_BOTH_ON && !sampled)) return null;
  if (!/(^|: )set c=\d+$/.test(figure.operation)) return null;
  const goal = `≥ ${TARGETS.minObservabilityRatio}× both off${sampled ? ", with 10% of traces sampled (an additional figure; the target is judged with every trace sampled)" : ""}`;
  const { paired, ratio: ofMedians } = figure.ceiling;
  const ratio = paired?.median ?? ofMedians;
  const how =
    paired === undefined
      ? []
      : [
          `paired by round: median of ${paired.samples.length}, ${paired.min.toFixed(2)}–${paired.max.toFixed(2)}`,
          `${x(ofMedians)} of the medians`,
        ];
  if (ratio >= TARGETS.minObservabilityRatio) {
    return {
      goal,
      status: "met",
      detail: `${x(ratio)} both off${how.length === 0 ? "" : ` (${how.join("; ")})`}`,
    };
  }
  const shortfall = `${((1 - ratio) * 100).toFixed(1)}% slower, target allows ${Math.round((1 - TARGETS.minObservabilityRatio) * 100)}%`;
  return {
    goal,
    status: "missed",
    detail: `${ratio.toFixed(3)}× both off (${[...how, shortfall].join("; ")})`,
  };
}
