/** A figure over several runs: the median, with the smallest and largest run. */
export interface Stat {
  /** The median of the runs' values. */
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** What the numbers count: `ops/s`, `ms`, `rows/s`, `MB/s`, `MB`. */
  readonly unit: string;
  /** Every run's value, in run order. */
  readonly samples: readonly number[];
}

/** Where a target stands: met, missed (with by how much), or not applicable in this run. */
export interface TargetResult {
  /** The target as the issue states it, for example `≥ 0.7× raw driver, ≥ 1.5× Keyv`. */
  readonly goal: string;
  readonly status: "met" | "missed";
  /** For people: the measured value against the goal, for example `0.62× raw (needs 13% more)`. */
  readonly detail: string;
}

/** Who a figure belongs to: the thing under test, its ceiling (nothing can be faster), or its peer. */
export type Role = "subject" | "ceiling" | "peer";

/** One line of a results table: one subject doing one operation. */
export interface Figure {
  /** The operation, for example `set`, `get c=8`, `write 1 MB`. */
  readonly operation: string;
  /** What did it, for example `MetastoreBackend`, `better-sqlite3 (raw)`. */
  readonly subject: string;
  readonly role: Role;
  /** The measured figures by name (`throughput`, `p50`, `p99`, `maxWriterWait`, `peakRss`, …). */
  readonly metrics: Readonly<Record<string, Stat>>;
  /**
   * The metric the ratios are taken on, always a throughput (higher is better), so a ratio below 1 means
   * slower than the figure it is compared with.
   */
  readonly primary: string;
  /**
   * The ceiling's subject name and this figure's median ÷ the ceiling's median (null: none); where the
   * runs were paired by round (each round ran the figure and its ceiling back to back), `paired` holds
   * each round's ratio (unit `×`), and its median is the figure's headline ratio.
   */
  readonly ceiling: { readonly subject: string; readonly ratio: number; readonly paired?: Stat } | null;
  /** The peer's subject name and this figure's median ÷ the peer's median (null: none). */
  readonly peer: { readonly subject: string; readonly ratio: number } | null;
  /** The target this figure is judged against, if any. */
  readonly target: TargetResult | null;
}

/** The identifiers of the result sections, in report order. */
export const SECTION_IDS = [
  "backend_sqlite",
  "backend_postgres",
  "backend_mysql",
  "backend_list",
  "end_to_end",
  "observability",
  "cleanup_sqlite",
  "cleanup_postgres",
  "cleanup_mysql",
  "object_storage",
] as const;

/** A section identifier. */
export type SectionId = (typeof SECTION_IDS)[number];

/** A column of a section's table: which metric, under which heading. */
export interface MetricColumn {
  readonly metric: string;
  readonly heading: string;
}

/** The measured outcome of one section. */
export interface MeasuredSection {
  readonly id: SectionId;
  readonly title: string;
  readonly status: "ok";
  /** What was measured and how, for people reading the table. */
  readonly notes: readonly string[];
  /** The metrics shown as table columns, in order. */
  readonly columns: readonly MetricColumn[];
  readonly figures: readonly Figure[];
  /** Wall-clock time the section took, in milliseconds. */
  readonly durationMs: number;
  /**
   * `os.loadavg()` (1, 5, 15 minutes) when the section ended, so a reader can tell which sections ran
   * while other work competed for the CPUs (filled in by the runner).
   */
  readonly loadAverageAfter?: readonly number[];
}

/** A section that did not run, and why (for example `skipped: Postgres unreachable …`, `skipped: MySQL unreachable …`). */
export interface SkippedSection {
  readonly id: SectionId;
  readonly title: string;
  readonly status: "skipped";
  readonly reason: string;
}

/** A section's result. */
export type SectionResult = MeasuredSection | SkippedSection;

/** The machine the figures were taken on. */
export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly node: string;
  readonly platform: string;
  /** `os.loadavg()` (1, 5, 15 minutes) when the run started and when it ended. */
  readonly loadAverage: { readonly start: readonly number[]; readonly end: readonly number[] };
  /** When the run started, ISO 8601 UTC. */
  readonly date: string;
}

/** The whole results document (`bench-results/latest.json`). */
export interface BenchResults {
  /** Bumped when the document's shape changes. */
  readonly formatVersion: 1;
  readonly mode: "full" | "quick";
  readonly machine: MachineInfo;
  readonly durationMs: number;
  readonly sections: readonly SectionResult[];
}
