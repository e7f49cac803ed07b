import { describe, expect, it } from "vitest";
import { compareFigures } from "../src/report/compare.js";
import { figureLine } from "../src/report/format.js";
import { renderMarkdown } from "../src/report/render-markdown.js";
import type { BenchResults } from "../src/report/result-types.js";
import { median, percentile, toStat } from "../src/report/stat.js";
import {
  backendTarget,
  cleanupTarget,
  endToEndTarget,
  OBSERVABILITY_BOTH_ON,
  OBSERVABILITY_BOTH_ON_SAMPLED,
  objectStorageTarget,
  observabilityTarget,
} from "../src/report/targets.js";

const throughput = (...samples: number[]) => ({ throughput: toStat(samples, "ops/s") });

describe("statistics", () => {
  it("takes the median of odd and even counts, and nearest-rank percentiles", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 0.5)).toBe(50);
    expect(percentile(sorted, 0.99)).toBe(99);
    expect(percentile([7], 0.99)).toBe(7);
    expect(toStat([5, 1, 9], "ms")).toEqual({ median: 5, min: 1, max: 9, unit: "ms", samples: [5, 1, 9] });
  });
});

describe("compareFigures and the targets", () => {
  it("divides medians by the ceiling's and the peer's, and judges the backend target", () => {
    const [subject, ceiling, peer] = compareFigures(
      [
        {
          operation: "get",
          subject: "MetastoreBackend",
          role: "subject",
          primary: "throughput",
          metrics: throughput(80, 70, 90),
        },
        {
          operation: "get",
          subject: "raw",
          role: "ceiling",
          primary: "throughput",
          metrics: throughput(100),
        },
        { operation: "get", subject: "Keyv", role: "peer", primary: "throughput", metrics: throughput(40) },
      ],
      backendTarget,
    );
    expect(subject?.ceiling).toEqual({ subject: "raw", ratio: 0.8 });
    expect(subject?.peer).toEqual({ subject: "Keyv", ratio: 2 });
    expect(subject?.target?.status).toBe("met");
    expect(ceiling?.ceiling).toBeNull();
    expect(peer?.ceiling?.ratio).toBe(0.4);
    expect(peer?.peer).toBeNull();
    expect(peer?.target).toBeNull();
  });

  it("says by how much a backend target is missed", () => {
    const [subject] = compareFigures(
      [
        {
          operation: "set",
          subject: "MetastoreBackend",
          role: "subject",
          primary: "throughput",
          metrics: throughput(50),
        },
        {
          operation: "set",
          subject: "raw",
          role: "ceiling",
          primary: "throughput",
          metrics: throughput(100),
        },
        { operation: "set", subject: "Keyv", role: "peer", primary: "throughput", metrics: throughput(50) },
      ],
      backendTarget,
    );
    expect(subject?.target?.status).toBe("missed");
    expect(subject?.target?.detail).toBe("0.50× raw (needs 40% more); 1.00× Keyv (needs 50% more)");
  });

  it("judges end-to-end p50, the worst writer wait and object storage with compression off", () => {
    const base = { subject: "s", role: "subject" as const, primary: "throughput", ceiling: null, peer: null };
    const p50 = (ms: number) => ({ ...throughput(1), p50: toStat([ms], "ms") });
    expect(endToEndTarget({ ...base, operation: "set c=1", metrics: p50(0.5) })?.status).toBe("met");
    expect(endToEndTarget({ ...base, operation: "set c=1", metrics: p50(1.2) })?.detail).toBe(
      "p50 1.200 ms (0.200 ms over)",
    );
    expect(endToEndTarget({ ...base, operation: "get c=1", metrics: p50(5) })).toBeNull();
    const waits = (...ms: number[]) => ({ ...throughput(1), maxWriterWait: toStat(ms, "ms") });
    expect(cleanupTarget({ ...base, operation: "sweep", metrics: waits(10, 300, 20) })?.status).toBe(
      "missed",
    );
    expect(cleanupTarget({ ...base, operation: "sweep", metrics: waits(10, 250) })?.status).toBe("met");
    const ratio = (r: number) => ({ subject: "raw", ratio: r });
    const off = {
      ...base,
      subject: "StateStoreObjectStorageBackend, gzip off",
      operation: "w",
      metrics: throughput(1),
    };
    expect(objectStorageTarget({ ...off, ceiling: ratio(0.95) })?.status).toBe("met");
    expect(objectStorageTarget({ ...off, ceiling: ratio(0.5) })?.status).toBe("missed");
    expect(
      objectStorageTarget({
        ...off,
        subject: "StateStoreObjectStorageBackend, gzip on",
        ceiling: ratio(0.5),
      }),
    ).toBeNull();
  });
});

describe("observabilityTarget", () => {
  it("judges set throughput with metrics and tracing on against both off, and nothing else", () => {
    const figure = (operation: string, subject: string, ratio: number | null) => ({
      operation,
      subject,
      role: "subject" as const,
      primary: "throughput",
      metrics: throughput(1),
      ceiling: ratio === null ? null : { subject: "metrics off, tracing off", ratio },
      peer: null,
    });
    expect(observabilityTarget(figure("SQLite: set c=16", OBSERVABILITY_BOTH_ON, 0.93))).toEqual({
      goal: "≥ 0.9× both off",
      status: "met",
      detail: "0.93× both off",
    });
    expect(observabilityTarget(figure("Postgres: set c=1", OBSERVABILITY_BOTH_ON, 0.85))?.detail).toBe(
      "0.850× both off (15.0% slower, target allows 10%)",
    );
    expect(observabilityTarget(figure("SQLite: get c=1", OBSERVABILITY_BOTH_ON, 0.5))).toBeNull();
    expect(observabilityTarget(figure("SQLite: set c=1", "metrics on", 0.5))).toBeNull();
    expect(observabilityTarget(figure("SQLite: set c=1", OBSERVABILITY_BOTH_ON, null))).toBeNull();
  });

  it("judges the median of the rounds' paired ratios, with the ratio of the medians beside it", () => {
    const draft = (subject: string, role: "subject" | "ceiling", ...samples: number[]) => ({
      operation: "SQLite: set c=1",
      subject,
      role,
      primary: "throughput",
      metrics: throughput(...samples),
    });
    // Round by round the subject is 0.7, 0.9 and 0.95× the ceiling; the medians alone say 0.76×.
    const [off, on, sampled] = compareFigures(
      [
        draft("metrics off, tracing off", "ceiling", 1000, 1500, 800),
        draft(OBSERVABILITY_BOTH_ON, "subject", 700, 1350, 760),
        draft(OBSERVABILITY_BOTH_ON_SAMPLED, "subject", 1000, 1500, 760),
      ],
      observabilityTarget,
      { pairedByRound: true },
    );
    expect(off?.ceiling).toBeNull();
    expect(on?.ceiling?.ratio).toBeCloseTo(0.76);
    expect(on?.ceiling?.paired?.samples).toEqual([0.7, 0.9, 0.95]);
    expect(on?.ceiling?.paired?.unit).toBe("×");
    expect(on?.target).toEqual({
      goal: "≥ 0.9× both off",
      status: "met",
      detail: "0.90× both off (paired by round: median of 3, 0.70–0.95; 0.76× of the medians)",
    });
    expect(sampled?.target?.goal).toBe(
      "≥ 0.9× both off, with 10% of traces sampled (an additional figure; the target is judged with every trace sampled)",
    );
    expect(sampled?.target?.detail).toBe(
      "1.00× both off (paired by round: median of 3, 0.95–1.00; 1.00× of the medians)",
    );
    expect(figureLine("observability", on!)).toContain(
      "0.90× (0.70–0.95) ceiling paired by round, 0.76× of the medians",
    );
    const [, missed] = compareFigures(
      [
        draft("metrics off, tracing off", "ceiling", 1000, 1000),
        draft(OBSERVABILITY_BOTH_ON, "subject", 800, 900),
      ],
      observabilityTarget,
      { pairedByRound: true },
    );
    expect(missed?.target?.detail).toBe(
      "0.850× both off (paired by round: median of 2, 0.80–0.90; 0.85× of the medians; 15.0% slower, target allows 10%)",
    );
    expect(() =>
      compareFigures(
        [
          draft("metrics off, tracing off", "ceiling", 1000, 1000),
          draft(OBSERVABILITY_BOTH_ON, "subject", 800),
        ],
        observabilityTarget,
        { pairedByRound: true },
      ),
    ).toThrow(/cannot be paired/);
  });
});

describe("renderMarkdown", () => {
  it("prints the machine, the targets, a table per measured section and the reason of a skipped one", () => {
    const results: BenchResults = {
      formatVersion: 1,
      mode: "full",
      durationMs: 1234,
      machine: {
        cpuModel: "Test CPU",
        cores: 2,
        memoryBytes: 8 * 1024 ** 3,
        node: "v20.0.0",
        platform: "Linux",
        loadAverage: { start: [1, 2, 3], end: [0.5, 1, 1.5] },
        date: "2030-01-01T00:00:00.000Z",
      },
      sections: [
        {
          id: "cleanup_sqlite",
          title: "Cleanup sweep on SQLite",
          status: "ok",
          notes: ["a note"],
          columns: [{ metric: "throughput", heading: "rows/s" }],
          durationMs: 1,
          figures: compareFigures(
            [
              {
                operation: "sweep",
                subject: "MetastoreBackend.cleanup()",
                role: "subject",
                primary: "throughput",
                metrics: { ...throughput(1000, 2000, 3000), maxWriterWait: toStat([12], "ms") },
              },
            ],
            cleanupTarget,
          ),
        },
        {
          id: "cleanup_postgres",
          title: "Cleanup sweep on Postgres",
          status: "skipped",
          reason: "Postgres unreachable at x",
        },
      ],
    };
    const markdown = renderMarkdown(results);
    expect(markdown).toContain("Test CPU, 2 cores, 8.0 GiB memory");
    expect(markdown).toContain("1.00, 2.00, 3.00 at the start");
    expect(markdown).toContain(
      "| sweep | MetastoreBackend.cleanup() | 2,000 (1,000–3,000) | met (worst 12.0 ms) |",
    );
    expect(markdown).toContain("## Targets");
    expect(markdown).toContain("skipped: Postgres unreachable at x");
  });

  it("gives paired-by-round ratios a column of their own, beside the ratio of the medians", () => {
    const draft = (subject: string, role: "subject" | "ceiling", ...samples: number[]) => ({
      operation: "set c=1",
      subject,
      role,
      primary: "throughput",
      metrics: throughput(...samples),
    });
    const markdown = renderMarkdown({
      formatVersion: 1,
      mode: "full",
      durationMs: 1,
      machine: {
        cpuModel: "Test CPU",
        cores: 2,
        memoryBytes: 1024 ** 3,
        node: "v20.0.0",
        platform: "Linux",
        loadAverage: { start: [0, 0, 0], end: [0, 0, 0] },
        date: "2030-01-01T00:00:00.000Z",
      },
      sections: [
        {
          id: "observability",
          title: "Observability",
          status: "ok",
          notes: [],
          columns: [{ metric: "throughput", heading: "ops/s" }],
          durationMs: 1,
          figures: compareFigures(
            [
              draft("off", "ceiling", 1000, 1250, 800),
              draft(OBSERVABILITY_BOTH_ON, "subject", 900, 1125, 760),
            ],
            observabilityTarget,
            { pairedByRound: true },
          ),
        },
      ],
    });
    expect(markdown).toContain(
      "| Operation | Subject | ops/s median (min–max) | × ceiling paired by round median (min–max) | × ceiling of the medians | Target |",
    );
    expect(markdown).toContain("| set c=1 | off (ceiling) | 1,000 (800–1,250) |  |  |  |");
    expect(markdown).toContain(
      "| set c=1 | metrics and tracing on | 900 (760–1,125) | 0.90× (0.90–0.95) | 0.90× | met (",
    );
  });
});
