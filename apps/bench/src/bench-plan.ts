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
  /**
   * Observability: sets per run (spread over the writers), by database and writer count, sized so a run
   * lasts well over a second (shorter samples swing by 10% or more between identical servers).
   */
  readonly observabilitySetOps: Readonly<Record<"sqlite" | "postgres", Readonly<Record<number, number>>>>;
  /** Observability: warm-up sets and gets per configuration before the rounds. */
  readonly observabilityWarmup: number;
  /**
   * Observability: rounds of sets; each round runs every configuration once, and the ratio to both off is
   * the median of the rounds' paired ratios.
   */
  readonly observabilityRounds: number;
  /** Observability: gets, readiness checks and `/metrics` scrapes per run. */
  readonly observabilityProbeOps: number;
  /** Observability: rounds of gets, readiness checks and scrapes (no target rides on them). */
  readonly observabilityProbeRounds: number;
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
  // About 1.5 s per run at the rates of a 2-core machine (SQLite ~1,100 / ~3,000 sets/s at 1 / 16
  // writers, Postgres ~750 / ~1,600), so the section takes about 5–6 minutes.
  observabilitySetOps: Object.freeze({
    sqlite: Object.freeze({ 1: 1_600, 16: 4_500 }),
    postgres: Object.freeze({ 1: 1_100, 16: 2_400 }),
  }),
  observabilityWarmup: 500,
  observabilityRounds: 9,
  observabilityProbeOps: 150,
  observabilityProbeRounds: 3,
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
  observabilitySetOps: Object.freeze({
    sqlite: Object.freeze({ 1: 100, 16: 100 }),
    postgres: Object.freeze({ 1: 100, 16: 100 }),
  }),
  observabilityWarmup: 50,
  observabilityRounds: 2,
  observabilityProbeOps: 30,
  observabilityProbeRounds: 2,
  cleanupRows: 20_000,
  cleanupRuns: 3,
  objectSizes: Object.freeze([MB]),
  objectRuns: 3,
});
