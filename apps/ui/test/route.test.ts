import { describe, expect, it } from "vitest";
import { formatRoute, parseRoute } from "../src/routing/route";

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
