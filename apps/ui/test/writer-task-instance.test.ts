import { describe, expect, it } from "vitest";
import { writerTaskInstance } from "../src/api/writer-task-instance";

describe("writerTaskInstance", () => {
  it("reads a task writer as the server sends it", () => {
    expect(
      writerTaskInstance({ kind: "task", dag_id: "etl", run_id: "r1", task_id: "load", map_index: 2 }),
    ).toEqual({ dagId: "etl", runId: "r1", taskId: "load", mapIndex: 2 });
  });

  it("treats a null or absent map index as unmapped", () => {
    expect(
      writerTaskInstance({ kind: "task", dag_id: "etl", run_id: "r1", task_id: "load", map_index: null }),
    ).toEqual({ dagId: "etl", runId: "r1", taskId: "load", mapIndex: -1 });
    expect(writerTaskInstance({ kind: "task", dag_id: "etl", run_id: "r1", task_id: "load" })?.mapIndex).toBe(
      -1,
    );
  });

  it("names no task instance for other writers or incomplete values", () => {
    const none = { dag_id: null, run_id: null, task_id: null, map_index: null };
    expect(writerTaskInstance({ kind: "api", ...none })).toBeUndefined();
    expect(writerTaskInstance({ kind: "watcher", ...none })).toBeUndefined();
    expect(writerTaskInstance({ kind: "task", ...none })).toBeUndefined();
    expect(writerTaskInstance({ kind: "task", dag_id: "etl", run_id: "", task_id: "load" })).toBeUndefined();
    expect(
      writerTaskInstance({ kind: "task", dag_id: "etl", run_id: "r1", task_id: "load", map_index: 1.5 }),
    ).toBeUndefined();
    expect(writerTaskInstance(null)).toBeUndefined();
    expect(writerTaskInstance(undefined)).toBeUndefined();
    expect(writerTaskInstance("task etl/r1/load")).toBeUndefined();
  });
});
