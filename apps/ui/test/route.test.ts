import { describe, expect, it } from "vitest";
import { formatRoute, parseRoute, taskInstanceRoute } from "../src/routing/route";

describe("routes", () => {
  it("round-trips a task state route, including keys with / and spaces", () => {
    const route = {
      page: "tasks",
      dagId: "etl",
      runId: "manual__1",
      taskId: "load",
      mapIndex: -1,
      key: "a/b c",
    } as const;
    expect(parseRoute(formatRoute(route))).toEqual(route);
  });

  it("round-trips an asset route and falls back to the task page", () => {
    expect(parseRoute(formatRoute({ page: "assets", asset: "orders", key: "watermark" }))).toEqual({
      page: "assets",
      asset: "orders",
      key: "watermark",
    });
    expect(parseRoute("")).toEqual({ page: "tasks" });
    expect(parseRoute("#/nowhere")).toEqual({ page: "tasks" });
    expect(parseRoute("#/tasks?map_index=x")).toEqual({ page: "tasks" });
  });
});

describe("task instance routes", () => {
  it("names a task instance by path and round-trips odd characters and the key", () => {
    const route = {
      page: "task-instance",
      dagId: "etl/daily",
      runId: "manual__2026-03-01T00:00:00+00:00",
      taskId: "load?x",
      mapIndex: 3,
      key: "a/b c",
    } as const;
    const hash = formatRoute(route);
    expect(hash).toBe(
      "#/dags/etl%2Fdaily/runs/manual__2026-03-01T00%3A00%3A00%2B00%3A00/tasks/load%3Fx/map-index/3?key=a%2Fb+c",
    );
    expect(parseRoute(hash)).toEqual(route);
    expect(parseRoute("#/dags/etl/runs/r1/tasks/load/map-index/-1")).toEqual({
      page: "task-instance",
      dagId: "etl",
      runId: "r1",
      taskId: "load",
      mapIndex: -1,
    });
  });

  it("falls back to the task state page for a path that names no task instance", () => {
    expect(parseRoute("#/dags/etl/runs/r1/tasks/load/map-index/x")).toEqual({
      page: "tasks",
      dagId: "etl",
      runId: "r1",
      taskId: "load",
    });
    expect(parseRoute("#/dags/etl/runs/r1")).toEqual({ page: "tasks" });
    expect(parseRoute("#/dags/%E0%A4%A/runs/r1/tasks/t/map-index/1")).toEqual({ page: "tasks" });
  });

  it("builds a link to a task instance", () => {
    expect(formatRoute(taskInstanceRoute({ dagId: "etl", runId: "r1", taskId: "load", mapIndex: -1 }))).toBe(
      "#/dags/etl/runs/r1/tasks/load/map-index/-1",
    );
  });
});
