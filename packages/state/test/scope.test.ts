import { describe, expect, it } from "vitest";
import { assetScope, describeScope, isTaskScope, taskScope } from "../src/scope.js";
import { isStateStoreError } from "../src/state-store-error.js";

describe("taskScope", () => {
  it("builds a frozen scope with mapIndex -1 by default", () => {
    const s = taskScope({ dagId: "d", runId: "r", taskId: "t" });
    expect(s).toEqual({ kind: "task", dagId: "d", runId: "r", taskId: "t", mapIndex: -1 });
    expect(Object.isFrozen(s)).toBe(true);
    expect(isTaskScope(s)).toBe(true);
  });

  it.each([
    [{ dagId: "", runId: "r", taskId: "t" }, "dagId"],
    [{ dagId: "d", runId: "", taskId: "t" }, "runId"],
    [{ dagId: "d", runId: "r", taskId: "" }, "taskId"],
    [{ dagId: "d", runId: "r", taskId: "t", mapIndex: -2 }, "mapIndex must be an integer >= -1"],
    [{ dagId: "d", runId: "r", taskId: "t", mapIndex: 1.5 }, "mapIndex must be an integer >= -1"],
  ])("rejects %o", (init, words) => {
    try {
      taskScope(init);
      expect.unreachable();
    } catch (e) {
      expect(isStateStoreError(e, "INVALID_SCOPE")).toBe(true);
      expect((e as Error).message).toContain(words);
    }
  });
});

describe("assetScope", () => {
  it("requires at least one identifier, with the reference's message", () => {
    expect(() => assetScope({})).toThrow("AssetScope requires at least one of: assetId, name, or uri");
  });

  it.each([{ assetId: 1 }, { name: "my_asset" }, { uri: "s3://bucket/key" }])("accepts %o alone", (init) => {
    const s = assetScope(init);
    expect(s).toEqual({ kind: "asset", ...init });
    expect(Object.isFrozen(s)).toBe(true);
  });

  it.each([{ assetId: 0 }, { assetId: 1.5 }, { name: "" }, { uri: "" }])("rejects %o", (init) => {
    expect(() => assetScope(init)).toThrow(/AssetScope/);
  });

  it("describes scopes with the wire's names", () => {
    expect(describeScope(taskScope({ dagId: "d", runId: "r", taskId: "t", mapIndex: 2 }))).toBe(
      'task instance dag_id="d" run_id="r" task_id="t" map_index=2',
    );
    expect(describeScope(assetScope({ name: "flights", uri: "s3://x" }))).toBe(
      'asset name="flights" uri="s3://x"',
    );
  });
});
