import { describe, expect, it } from "vitest";
import { assetScope, describeScope, isTaskScope, NO_REGION_ID, taskScope } from "../src/scope.js";
import { isStateStoreError } from "../src/state-store-error.js";

describe("taskScope", () => {
  it("builds a frozen scope with mapIndex -1 and the all-zero region by default", () => {
    const s = taskScope({ dagId: "d", runId: "r", taskId: "t" });
    expect(s).toEqual({
      kind: "task",
      dagId: "d",
      runId: "r",
      taskId: "t",
      regionId: NO_REGION_ID,
      mapIndex: -1,
    });
    expect(Object.isFrozen(s)).toBe(true);
    expect(isTaskScope(s)).toBe(true);
  });

  it.each([
    [{ dagId: "", runId: "r", taskId: "t" }, "dagId"],
    [{ dagId: "d", runId: "", taskId: "t" }, "runId"],
    [{ dagId: "d", runId: "r", taskId: "" }, "taskId"],
    [{ dagId: "d", runId: "r", taskId: "t", mapIndex: -2 }, "mapIndex must be an integer >= -1"],
    [{ dagId: "d", runId: "r", taskId: "t", mapIndex: 1.5 }, "mapIndex must be an integer >= -1"],
    [{ dagId: "d", runId: "r", taskId: "t", regionId: "region-1" }, "regionId must be a UUID such as"],
    [{ dagId: "d", runId: "r", taskId: "t", regionId: "" }, "regionId must be a UUID"],
    [{ dagId: "d", runId: "r", taskId: "t", regionId: 7 as unknown as string }, "got 7"],
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

describe("taskScope regions", () => {
  it("keeps a region id in lower case and names it in descriptions; the all-zero region is not named", () => {
    const s = taskScope({
      dagId: "d",
      runId: "r",
      taskId: "t",
      regionId: "0B5E7A1C-4D2F-4A6B-9C8D-1E2F3A4B5C6D",
    });
    expect(s.regionId).toBe("0b5e7a1c-4d2f-4a6b-9c8d-1e2f3a4b5c6d");
    expect(describeScope(s)).toBe(
      'task instance dag_id="d" run_id="r" task_id="t" region_id=0b5e7a1c-4d2f-4a6b-9c8d-1e2f3a4b5c6d map_index=-1',
    );
    expect(taskScope({ dagId: "d", runId: "r", taskId: "t", regionId: NO_REGION_ID }).regionId).toBe(
      NO_REGION_ID,
    );
  });

  it("reports a malformed region id as INVALID_SCOPE on the regionId field", () => {
    try {
      taskScope({ dagId: "d", runId: "r", taskId: "t", regionId: "00000000-0000-0000-0000-00000000000g" });
      expect.unreachable();
    } catch (e) {
      expect(isStateStoreError(e, "INVALID_SCOPE")).toBe(true);
      expect((e as { details?: unknown }).details).toEqual({ field: "regionId" });
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
