/** How big each measurement is: the full run (for people) or the quick run (for CI and development). */
export interface BenchPlan {
  readonly mode: "full" | "quick";
  /** Backend ops: distinct keys, written once as the warm-up. */
  readonly backendKeys: number;
  /** Backend ops: operations per run. */
  readonly backendOps: number;
  /** Backend ops: runs per figure (the median is reported). */
  readonly backendRuns: number;
  /** Backend ops: JSON text size of every value, in bytes. */
  readonly valueBytes: number;
  /** End to end: concurrent workers of each level. */
  readonly concurrency: readonly number[];
  /** End to end: operations per run (spread over the workers). */
  readonly endToEndOps: number;
  /** End to end: warm-up operations per level before the runs. */
  readonly endToEndWarmup: number;
  readonly endToEndRuns: number;
  /** Observability: concurrent task SDK writers of each level. */
  readonly observabilityConcurrency: readonly number[];
  /** Observability: sets per run (spread over the writers). */
  readonly observabilityOps: number;
  /** Observability: warm-up sets and gets per configuration before the rounds. */
  readonly observabilityWarmup: number;
  /** Observability: rounds; each round runs every configuration once (the median is reported). */
  readonly observabilityRounds: number;
  /** Observability: gets, readiness checks and `/metrics` scrapes per run. */
  readonly observabilityProbeOps: number;
  /** Cleanup: expired rows inserted before each sweep. */
  readonly cleanupRows: number;
  readonly cleanupRuns: number;
  /** Object storage: value sizes in bytes. */
  readonly objectSizes: readonly number[];
  /** Object storage: writes and reads per case (after one warm-up write and read). */
  readonly objectRuns: number;
}

const MB = 1024 * 1024;

/** The full run: what the README quotes. */
export const FULL_PLAN: BenchPlan = Object.freeze({
  mode: "full",
  backendKeys: 10_000,
  backendOps: 10_000,
  backendRuns: 5,
  valueBytes: 256,
  concurrency: Object.freeze([1, 8, 64]),
  endToEndOps: 5_000,
  endToEndWarmup: 1_000,
  endToEndRuns: 5,
  observabilityConcurrency: Object.freeze([1, 16]),
  observabilityOps: 600,
  observabilityWarmup: 500,
  observabilityRounds: 5,
  observabilityProbeOps: 300,
  cleanupRows: 1_000_000,
  cleanupRuns: 3,
  objectSizes: Object.freeze([MB, 10 * MB]),
  objectRuns: 15,
});

/** The quick run: a small version of every measurement, in well under a minute on a quiet machine. */
export const QUICK_PLAN: BenchPlan = Object.freeze({
  mode: "quick",
  backendKeys: 500,
  backendOps: 300,
  backendRuns: 3,
  valueBytes: 256,
  concurrency: Object.freeze([1, 8, 64]),
  endToEndOps: 200,
  endToEndWarmup: 100,
  endToEndRuns: 3,
  observabilityConcurrency: Object.freeze([1, 16]),
  observabilityOps: 100,
  observabilityWarmup: 50,
  observabilityRounds: 2,
  observabilityProbeOps: 30,
  cleanupRows: 20_000,
  cleanupRuns: 3,
  objectSizes: Object.freeze([MB]),
  objectRuns: 3,
});
