import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Flight } from "../src/flights-data.js";
import { Warehouse } from "../src/warehouse.js";

function flight(index: number, departure: string): Flight {
  return { index, departure, delay: index, distance: 100, origin: "ORD", destination: "LAX" };
}

describe("Warehouse", () => {
  let dir: string;
  let warehouse: Warehouse;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "tidemark-warehouse-"));
    warehouse = new Warehouse(join(dir, "nested", "warehouse.db"));
  });
  afterEach(() => {
    warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reloading an interval an earlier attempt committed replaces its rows instead of duplicating them", () => {
    const batch = [
      flight(0, "2001-01-01T01:00"),
      flight(1, "2001-01-01T02:00"),
      flight(2, "2001-01-01T02:00"),
    ];
    const load = {
      runId: "r1",
      tryNumber: 1,
      after: "1970-01-01T00:00",
      through: "2001-01-01T02:00",
      flights: batch,
    };
    expect(warehouse.load(load)).toEqual({ inserted: 3, replaced: 0 });
    expect(warehouse.load({ ...load, tryNumber: 2 })).toEqual({ inserted: 3, replaced: 3 });
    expect(warehouse.counts()).toEqual({ rows: 3, distinctFlights: 3 });
    expect(warehouse.sourceIndexesThrough("2001-01-01T01:30")).toEqual([0]);
    // The next interval starts after the watermark and leaves earlier rows alone.
    const next = [flight(3, "2001-01-02T00:10")];
    warehouse.load({
      runId: "r2",
      tryNumber: 1,
      after: "2001-01-01T02:00",
      through: "2001-01-02T00:10",
      flights: next,
    });
    expect(warehouse.sourceIndexesThrough("2001-01-02T23:59")).toEqual([0, 1, 2, 3]);
  });

  it("pages the flights a run loaded with a keyset cursor", () => {
    const batch = Array.from({ length: 5 }, (_, i) => flight(i, `2001-01-01T0${i}:00`));
    warehouse.load({
      runId: "r1",
      tryNumber: 1,
      after: "1970-01-01T00:00",
      through: "2001-01-01T04:00",
      flights: batch,
    });
    expect(warehouse.countLoadedBy("r1")).toBe(5);
    const first = warehouse.pageLoadedBy("r1", 0, 2);
    const second = warehouse.pageLoadedBy("r1", first.at(-1)?.rowId ?? 0, 2);
    const third = warehouse.pageLoadedBy("r1", second.at(-1)?.rowId ?? 0, 2);
    expect([...first, ...second, ...third].map((f) => f.index)).toEqual([0, 1, 2, 3, 4]);
    expect(warehouse.pageLoadedBy("r2", 0, 2)).toEqual([]);
  });

  it("records an external job, its re-attachment with the resume page, and its result", () => {
    warehouse.submitJob("job-1", "r1", 4);
    expect(warehouse.attachJob("job-1", 2)).toMatchObject({
      attachments: 2,
      resumedAtPage: 2,
      status: "running",
    });
    expect(warehouse.attachJob("missing", null)).toBeNull();
    const result = { flights: 10, delayed: 3, totalDelay: 120, worstDelay: 60 };
    warehouse.finishJob("job-1", result);
    expect(warehouse.jobsOf("r1")).toEqual([
      {
        jobId: "job-1",
        runId: "r1",
        status: "succeeded",
        pages: 4,
        attachments: 2,
        resumedAtPage: 2,
        result,
      },
    ]);
    expect(warehouse.resumedJobs().map((j) => j.jobId)).toEqual(["job-1"]);
  });
});
