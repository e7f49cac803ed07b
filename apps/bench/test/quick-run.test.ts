import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BenchResults, SECTION_IDS, type Stat } from "../src/report/result-types.js";

// Runs the built benchmark CLI in quick mode end to end, as CI does, so the harness keeps working. It
// checks the shape of the results, never a speed.

const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
/** The sections that may be skipped outside CI, with the reason each gives. */
const SERVER_SECTIONS = new Map([
  ["backend_postgres", /^Postgres unreachable/],
  ["cleanup_postgres", /^Postgres unreachable/],
  ["backend_mysql", /^MySQL unreachable/],
  ["cleanup_mysql", /^MySQL unreachable/],
]);
const KV_SECTIONS = new Set(["backend_sqlite", "backend_postgres", "backend_mysql"]);

function expectStat(stat: Stat | undefined, where: string): void {
  expect(stat, where).toBeDefined();
  for (const n of [stat!.median, stat!.min, stat!.max]) {
    expect(Number.isFinite(n), `${where}: ${n} is a finite number`).toBe(true);
  }
  expect(stat!.min).toBeLessThanOrEqual(stat!.median);
  expect(stat!.median).toBeLessThanOrEqual(stat!.max);
  expect(stat!.samples.length, where).toBeGreaterThan(0);
  expect(typeof stat!.unit).toBe("string");
}

describe("pnpm bench -- --quick", () => {
  let out: string;
  let run: { code: number | null; stdout: string; stderr: string };
  let results: BenchResults;
  let markdown: string;

  beforeAll(async () => {
    if (!existsSync(CLI))
      throw new Error(`${CLI} is missing: build the package first (pnpm turbo run build)`);
    out = await mkdtemp(join(tmpdir(), "tidemark-bench-test-"));
    run = await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, "--quick", "--out", out], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (c: string) => {
        stdout += c;
      });
      child.stderr.setEncoding("utf8").on("data", (c: string) => {
        stderr += c;
      });
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
    if (run.code === 0) {
      results = JSON.parse(await readFile(join(out, "quick.json"), "utf8")) as BenchResults;
      markdown = await readFile(join(out, "quick.md"), "utf8");
    }
  }, 600_000);

  afterAll(async () => {
    if (out !== undefined) await rm(out, { recursive: true, force: true });
  });

  it("exits 0 and writes quick.json and quick.md", () => {
    expect(run.code, `stderr: ${run.stderr.slice(-3000)}`).toBe(0);
    expect(results.formatVersion).toBe(1);
    expect(results.mode).toBe("quick");
    expect(markdown).toContain("# Tidemark benchmark results (quick run)");
  });

  it("records the machine and its load average", () => {
    const { machine } = results;
    expect(machine.cpuModel.length).toBeGreaterThan(0);
    expect(machine.cores).toBeGreaterThan(0);
    expect(machine.memoryBytes).toBeGreaterThan(0);
    expect(machine.node).toBe(process.version);
    expect(Number.isNaN(Date.parse(machine.date))).toBe(false);
    for (const load of [machine.loadAverage.start, machine.loadAverage.end]) {
      expect(load).toHaveLength(3);
      for (const n of load) expect(Number.isFinite(n)).toBe(true);
    }
    expect(markdown).toContain("Load average");
  });

  it("has every section, in order, each measured with numeric figures (Postgres and MySQL may be skipped outside CI)", () => {
    expect(results.sections.map((s) => s.id)).toEqual([...SECTION_IDS]);
    for (const section of results.sections) {
      expect(markdown).toContain(`## ${section.title}`);
      if (section.status === "skipped") {
        const reason = SERVER_SECTIONS.get(section.id);
        expect(reason, `${section.id} was skipped: ${section.reason}`).toBeDefined();
        expect(process.env.CI, "with CI set, an unreachable server must fail the run").toBeFalsy();
        expect(section.reason).toMatch(reason!);
        expect(markdown).toContain(`skipped: ${section.reason}`);
        continue;
      }
      expect(section.figures.length, section.id).toBeGreaterThan(0);
      expect(section.loadAverageAfter, section.id).toHaveLength(3);
      for (const figure of section.figures) {
        const where = `${section.id} ${figure.operation} ${figure.subject}`;
        expect(Object.keys(figure.metrics)).toContain(figure.primary);
        for (const column of section.columns)
          expectStat(figure.metrics[column.metric], `${where} ${column.metric}`);
        if (figure.ceiling !== null) expect(Number.isFinite(figure.ceiling.ratio), where).toBe(true);
        if (figure.peer !== null) expect(Number.isFinite(figure.peer.ratio), where).toBe(true);
        if (figure.target !== null) expect(["met", "missed"]).toContain(figure.target.status);
      }
    }
  });

  it("compares each backend subject with its raw ceiling and its Keyv peer, and reports the target", () => {
    for (const section of results.sections) {
      if (!KV_SECTIONS.has(section.id) || section.status !== "ok") continue;
      expect(new Set(section.figures.map((f) => f.operation))).toEqual(new Set(["set", "get", "mix 50/50"]));
      for (const figure of section.figures.filter((f) => f.role === "subject")) {
        expect(figure.subject).toBe("MetastoreBackend");
        expect(figure.ceiling?.subject).toMatch(/raw/);
        expect(figure.peer?.subject).toMatch(/^Keyv/);
        expect(figure.target).not.toBeNull();
      }
    }
  });

  it("walks the listing by offset and by cursor on SQLite, and on Postgres unless it was skipped", () => {
    const section = results.sections.find((s) => s.id === "backend_list");
    if (section?.status !== "ok") throw new Error("backend_list did not run");
    const postgresSkipped = section.notes.some((n) => n.startsWith("Postgres not measured"));
    const databases = postgresSkipped ? ["SQLite"] : ["SQLite", "Postgres"];
    expect(new Set(section.figures.map((f) => f.operation.split(":")[0]))).toEqual(new Set(databases));
    for (const database of databases) {
      const figures = section.figures.filter((f) => f.operation.startsWith(`${database}:`));
      expect(figures.map((f) => f.subject)).toEqual([
        "MetastoreBackend.list by offset",
        "MetastoreBackend.list by cursor",
      ]);
      for (const figure of figures) {
        expectStat(figure.metrics.pages, `${figure.operation} ${figure.subject} pages`);
        expectStat(figure.metrics.keys, `${figure.operation} ${figure.subject} keys`);
      }
      const cursor = figures.find((f) => f.role === "subject");
      expect(cursor?.peer?.subject).toBe("MetastoreBackend.list by offset");
      expect(Number.isFinite(cursor?.peer?.ratio)).toBe(true);
    }
  });

  it("measures end to end at 1, 8 and 64 workers beside the no-op ceiling, with p50 and p99", () => {
    const section = results.sections.find((s) => s.id === "end_to_end");
    if (section?.status !== "ok") throw new Error("end_to_end did not run");
    const operations = new Set(section.figures.map((f) => f.operation));
    for (const op of ["set", "get"]) for (const c of [1, 8, 64]) expect(operations).toContain(`${op} c=${c}`);
    expect(section.figures.filter((f) => f.role === "ceiling")).toHaveLength(6);
    expect(
      section.figures.find((f) => f.operation === "set c=1" && f.role === "subject")?.target,
    ).not.toBeNull();
  });

  it("compares metrics and tracing on and off end to end on SQLite, and on Postgres unless it was skipped", () => {
    const section = results.sections.find((s) => s.id === "observability");
    if (section?.status !== "ok") throw new Error("observability did not run");
    const postgresSkipped = section.notes.some((n) => n.startsWith("Postgres not measured"));
    const databases = postgresSkipped ? ["SQLite"] : ["SQLite", "Postgres"];
    expect(new Set(section.figures.map((f) => f.operation.split(":")[0]))).toEqual(new Set(databases));
    const configurations = [
      "metrics off, tracing off",
      "metrics on",
      "tracing on",
      "metrics and tracing on",
      "metrics and tracing on, 10% of traces sampled",
    ];
    for (const database of databases) {
      const of = (operation: string) =>
        section.figures.filter((f) => f.operation === `${database}: ${operation}`);
      for (const operation of ["set c=1", "set c=16", "get c=1"]) {
        const figures = of(operation);
        expect(figures.map((f) => f.subject)).toEqual(configurations);
        expect(figures[0]?.role).toBe("ceiling");
        for (const figure of figures.slice(1)) {
          expect(Number.isFinite(figure.ceiling?.ratio)).toBe(true);
          const paired = figure.ceiling?.paired;
          expectStat(paired, `${database} ${operation} ${figure.subject} paired`);
          expect(paired?.samples.length).toBe(figures[0]?.metrics.throughput?.samples.length);
        }
        const full = figures[3]!;
        const sampled = figures[4]!;
        for (const figure of figures.slice(0, 4)) {
          const traced = figure.subject.includes("tracing on");
          const where = `${database} ${operation} ${figure.subject}`;
          for (const spans of [figure.metrics.spans!, figure.metrics.clientSpans!]) {
            if (traced) expect(spans.min, where).toBeGreaterThan(0);
            else expect(spans.max, where).toBe(0);
          }
        }
        // 10% of the traces sampled: fewer spans per op than with every trace sampled (never none over
        // the 100 sets of a quick run), on both sides.
        for (const metric of ["spans", "clientSpans"]) {
          const where = `${database} ${operation} sampled ${metric}`;
          const part = sampled.metrics[metric]!;
          expect(part.min, where).toBeGreaterThanOrEqual(0);
          expect(part.median, where).toBeLessThan(full.metrics[metric]!.median);
          if (operation.startsWith("set")) expect(part.max, where).toBeGreaterThan(0);
        }
        const bothOn = full.target;
        const sampledTarget = sampled.target;
        if (operation.startsWith("set")) {
          expect(bothOn?.goal).toBe("≥ 0.9× both off");
          expect(bothOn?.detail).toMatch(/paired by round: median of \d+/);
          expect(sampledTarget?.goal).toMatch(/^≥ 0\.9× both off, with 10% of traces sampled/);
        } else {
          expect(bothOn).toBeNull();
          expect(sampledTarget).toBeNull();
        }
      }
      const readiness = [...of("GET readiness"), ...of("GET health")];
      if (readiness.length === 0) {
        expect(section.notes.some((n) => n.startsWith(`${database}: readiness not measured`))).toBe(true);
      } else {
        expect(readiness.map((f) => f.subject)).toEqual(configurations);
      }
      const scrapes = of("GET /metrics");
      if (scrapes.length === 0) {
        expect(section.notes.some((n) => n.startsWith(`${database}: scrape not measured`))).toBe(true);
      } else {
        expect(scrapes.map((f) => f.subject)).toEqual([
          "metrics on",
          "metrics and tracing on",
          "metrics and tracing on, 10% of traces sampled",
        ]);
      }
    }
  });

  it("reports the longest writer wait of each cleanup sweep and the object storage peak RSS", () => {
    for (const section of results.sections) {
      if (section.status !== "ok") continue;
      if (section.id.startsWith("cleanup_")) {
        expect(section.figures.map((f) => f.subject)).toEqual([
          "MetastoreBackend.cleanup(), writer on the second connection",
          "MetastoreBackend.cleanup(), writer on the same connection",
        ]);
        for (const figure of section.figures) {
          expectStat(figure.metrics.maxWriterWait, `${section.id} maxWriterWait`);
          expect(figure.metrics.writes?.min, "every sweep overlaps at least one writer call").toBeGreaterThan(
            0,
          );
          expect(figure.target?.goal).toMatch(/250 ms/);
        }
      }
      if (section.id === "object_storage") {
        const operations = section.figures.map((f) => f.operation);
        expect(operations.some((o) => o.startsWith("file://"))).toBe(true);
        expect(operations.some((o) => o.startsWith("s3rver"))).toBe(true);
        expect(operations.some((o) => o.startsWith("Azurite"))).toBe(true);
        for (const figure of section.figures) expectStat(figure.metrics.peakRss, `${figure.subject} peakRss`);
      }
    }
  });
});
