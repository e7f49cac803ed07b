import { describe, expect, it } from "vitest";
import { validateAssetStateStoreWriter } from "../src/writer-kind.js";

describe("validateAssetStateStoreWriter", () => {
  it("accepts a task writer with every task instance field", () => {
    expect(
      validateAssetStateStoreWriter({ kind: "task", dagId: "d", runId: "r", taskId: "t", mapIndex: -1 }),
    ).toEqual({
      kind: "task",
      dagId: "d",
      runId: "r",
      taskId: "t",
      mapIndex: -1,
    });
  });
  it.each(["dagId", "runId", "taskId", "mapIndex"])("rejects a task writer without %s", (field) => {
    const writer: Record<string, unknown> = {
      kind: "task",
      dagId: "d",
      runId: "r",
      taskId: "t",
      mapIndex: 0,
    };
    delete writer[field];
    expect(() => validateAssetStateStoreWriter(writer as { kind: unknown })).toThrow(field);
  });
  it("accepts watcher and api writers without fields and rejects them with fields", () => {
    expect(validateAssetStateStoreWriter({ kind: "watcher" })).toEqual({ kind: "watcher" });
    expect(validateAssetStateStoreWriter({ kind: "api", dagId: null })).toEqual({ kind: "api" });
    expect(() => validateAssetStateStoreWriter({ kind: "api", dagId: "d" })).toThrow(
      /carries no task instance fields/,
    );
  });
  it("rejects an unknown kind, listing the kinds", () => {
    expect(() => validateAssetStateStoreWriter({ kind: "cron" })).toThrow('"task", "watcher", "api"');
  });
});
