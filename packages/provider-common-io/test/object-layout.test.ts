import { assetScope, isStateStoreError, taskScope } from "@tidemark/state";
import { describe, expect, it } from "vitest";
import {
  decodeSegment,
  encodeKey,
  encodeSegment,
  isCanonicalSegment,
  MAX_ENCODED_SEGMENT_LENGTH,
  objectKeyOf,
  parseObjectKey,
  scopePrefix,
} from "../src/object-layout.js";

const KEY = { code: "INVALID_KEY", name: "state key" } as const;
const scope = taskScope({ dagId: "dag", runId: "run", taskId: "task", mapIndex: -1 });

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isStateStoreError(error) ? error.code : "not a StateStoreError";
  }
  return undefined;
}

describe("segment encoding", () => {
  it("keeps only A-Z a-z 0-9 _ - and percent-encodes every other UTF-8 byte in upper case", () => {
    expect(encodeSegment("Abc_09-x", KEY)).toBe("Abc_09-x");
    expect(encodeSegment("a/b", KEY)).toBe("a%2Fb");
    expect(encodeSegment("a_b", KEY)).toBe("a_b");
    expect(encodeSegment("a%2Fb", KEY)).toBe("a%252Fb");
    expect(encodeSegment("k.gz", KEY)).toBe("k%2Egz");
    expect(encodeSegment("..\\x", KEY)).toBe("%2E%2E%5Cx");
    expect(encodeSegment("~!*'()", KEY)).toBe("%7E%21%2A%27%28%29");
    expect(encodeSegment("é🚀", KEY)).toBe("%C3%A9%F0%9F%9A%80");
  });

  it("never lets distinct texts share a segment", () => {
    const texts = ["a/b", "a_b", "a%2Fb", "a%2fb", "a b", "a+b", "A/B", "a\\b", "a.b", "a%2Eb"];
    const encoded = texts.map((t) => encodeSegment(t, KEY));
    expect(new Set(encoded).size).toBe(texts.length);
    for (const [i, e] of encoded.entries()) expect(decodeSegment(e)).toBe(texts[i]);
  });

  it('rejects "", "." and ".." with the segment\'s error code', () => {
    for (const bad of ["", ".", ".."]) {
      expect(codeOf(() => encodeSegment(bad, KEY))).toBe("INVALID_KEY");
      expect(codeOf(() => encodeSegment(bad, { code: "INVALID_SCOPE", name: "dag_id" }))).toBe(
        "INVALID_SCOPE",
      );
    }
    expect(codeOf(() => encodeSegment("...", KEY))).toBeUndefined();
  });

  it("rejects lone surrogates, which UTF-8 cannot tell apart", () => {
    expect(codeOf(() => encodeSegment("a\uD800", KEY))).toBe("INVALID_KEY");
    expect(codeOf(() => encodeSegment("a\uDC00", KEY))).toBe("INVALID_KEY");
    expect(codeOf(() => encodeSegment("a😀", KEY))).toBeUndefined();
  });

  it("shortens long segments with a readable prefix and a SHA-256, deterministically and without collisions", () => {
    const long1 = `${"é".repeat(200)}1`;
    const long2 = `${"é".repeat(200)}2`;
    const a = encodeSegment(long1, KEY);
    expect(a.length).toBeLessThanOrEqual(MAX_ENCODED_SEGMENT_LENGTH);
    expect(a).toMatch(/^(%C3%A9)+\.[0-9a-f]{64}$/);
    expect(encodeSegment(long1, KEY)).toBe(a);
    expect(encodeSegment(long2, KEY)).not.toBe(a);
    expect(isCanonicalSegment(a)).toBe(true);
    expect(decodeSegment(a)).toBeUndefined();
    // The readable prefix never cuts an escape in half.
    const cut = encodeSegment(`ab${"/".repeat(100)}`, KEY);
    expect(cut.split(".")[0]).toMatch(/^(?:[A-Za-z0-9_-]|%[0-9A-F]{2})+$/);
  });

  it("limits keys to 1536 UTF-8 bytes, so the hashed key always fits S3 metadata", () => {
    expect(codeOf(() => encodeKey("é".repeat(512)))).toBeUndefined();
    expect(codeOf(() => encodeKey("🚀".repeat(384)))).toBeUndefined();
    expect(codeOf(() => encodeKey("🚀".repeat(385)))).toBe("INVALID_KEY");
    expect(codeOf(() => encodeKey("a\u0000b"))).toBe("INVALID_KEY");
  });
});

describe("object keys and prefixes", () => {
  it("lays task state out as tasks/<dag_id>/<run_id>/<task_id>/<map_index>/<key>", () => {
    expect(objectKeyOf(scope, "job/id", false)).toBe("tasks/dag/run/task/-1/job%2Fid");
    expect(objectKeyOf(scope, "job/id", true)).toBe("tasks/dag/run/task/-1/job%2Fid.gz");
    const mapped = taskScope({
      dagId: "d.x",
      runId: "manual__2001-01-01T00:00:00+00:00",
      taskId: "t",
      mapIndex: 3,
    });
    expect(objectKeyOf(mapped, "k", false)).toBe(
      "tasks/d%2Ex/manual__2001-01-01T00%3A00%3A00%2B00%3A00/t/3/k",
    );
  });

  it("lays asset state out by assetIdentity: asset-ids/<id>/<key>, else assets/<name or uri>/<key>", () => {
    expect(objectKeyOf(assetScope({ name: "orders" }), "wm", false)).toBe("assets/orders/wm");
    expect(objectKeyOf(assetScope({ uri: "s3://b/k" }), "wm", false)).toBe("assets/s3%3A%2F%2Fb%2Fk/wm");
    expect(objectKeyOf(assetScope({ name: "orders", uri: "s3://b/k", assetId: 3 }), "wm", false)).toBe(
      "asset-ids/3/wm",
    );
    expect(objectKeyOf(assetScope({ name: "orders", uri: "s3://b/k" }), "wm", false)).toBe(
      "assets/orders/wm",
    );
    expect(objectKeyOf(assetScope({ assetId: 42 }), "wm", false)).toBe("asset-ids/42/wm");
  });

  it("keeps a dag named assets apart from asset state", () => {
    const dag = taskScope({ dagId: "assets", runId: "orders", taskId: "wm", mapIndex: -1 });
    expect(scopePrefix(dag)).toBe("tasks/assets/orders/wm/-1/");
    expect(scopePrefix(assetScope({ name: "orders" }))).toBe("assets/orders/");
  });

  it("ends every prefix in / so task t never covers task t2", () => {
    const t = taskScope({ dagId: "d", runId: "r", taskId: "t", mapIndex: 0 });
    expect(scopePrefix(t, true)).toBe("tasks/d/r/t/");
    expect(
      objectKeyOf(taskScope({ dagId: "d", runId: "r", taskId: "t2" }), "k", false).startsWith("tasks/d/r/t/"),
    ).toBe(false);
  });

  it("puts a task in a region under its own task segment and keeps the all-zero region's paths", () => {
    const region = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed";
    const inRegion = taskScope({ dagId: "d", runId: "r", taskId: "t", regionId: region, mapIndex: 2 });
    expect(objectKeyOf(inRegion, "k", false)).toBe(`tasks/d/r/t.r-${region}/2/k`);
    expect(scopePrefix(inRegion, true)).toBe(`tasks/d/r/t.r-${region}/`);
    const none = taskScope({
      dagId: "d",
      runId: "r",
      taskId: "t",
      regionId: "00000000-0000-0000-0000-000000000000",
    });
    expect(objectKeyOf(none, "k", false)).toBe("tasks/d/r/t/-1/k");
    expect(objectKeyOf(inRegion, "k", false).startsWith(scopePrefix(none, true))).toBe(false);
    // A task id that itself reads ".r-<uuid>" is encoded (the "." becomes %2E), so it cannot collide.
    const lookalike = taskScope({ dagId: "d", runId: "r", taskId: `t.r-${region}`, mapIndex: 2 });
    expect(objectKeyOf(lookalike, "k", false)).toBe(`tasks/d/r/t%2Er-${region}/2/k`);
    expect(parseObjectKey(`tasks/d/r/t.r-${region}/2/k`)).toEqual({
      kind: "task",
      keySegment: "k",
      gzip: false,
    });
    expect(parseObjectKey("tasks/d/r/t.r-not-a-uuid/2/k")).toBeUndefined();
    expect(parseObjectKey(`tasks/d/r/..r-${region}/2/k`)).toBeUndefined();
  });

  it("rejects . and .. in dag ids, run ids, task ids and asset names with INVALID_SCOPE", () => {
    expect(codeOf(() => objectKeyOf(taskScope({ dagId: "..", runId: "r", taskId: "t" }), "k", false))).toBe(
      "INVALID_SCOPE",
    );
    expect(codeOf(() => objectKeyOf(taskScope({ dagId: "d", runId: ".", taskId: "t" }), "k", false))).toBe(
      "INVALID_SCOPE",
    );
    expect(codeOf(() => objectKeyOf(assetScope({ name: ".." }), "k", false))).toBe("INVALID_SCOPE");
    expect(codeOf(() => objectKeyOf(assetScope({ uri: "." }), "k", false))).toBe("INVALID_SCOPE");
    expect(codeOf(() => objectKeyOf(scope, "..", false))).toBe("INVALID_KEY");
    expect(codeOf(() => objectKeyOf(scope, ".", false))).toBe("INVALID_KEY");
  });

  it("parses only object keys this layout writes", () => {
    expect(parseObjectKey("tasks/d/r/t/-1/k")).toEqual({ kind: "task", keySegment: "k", gzip: false });
    expect(parseObjectKey("tasks/d/r/t/12/k.gz")).toEqual({ kind: "task", keySegment: "k", gzip: true });
    expect(parseObjectKey("assets/orders/wm")).toEqual({ kind: "asset", keySegment: "wm", gzip: false });
    expect(parseObjectKey("asset-ids/7/wm.gz")).toEqual({ kind: "asset", keySegment: "wm", gzip: true });
    for (const bad of [
      "tasks/d/r/t/-1",
      "tasks/d/r/t/-1/k/extra",
      "tasks/../r/t/-1/k",
      "tasks/%2e%2e/r/t/-1/k",
      "tasks/%2E%2E/r/t/-1/k",
      "tasks/d/r/t/-1/..",
      "tasks/d/r/t/-1/a%2fb",
      "tasks/d/r/t/-1/a\\b",
      "tasks/d//t/-1/k",
      "tasks/d/r/t/01/k",
      "tasks/d/r/t/-2/k",
      "assets/../k",
      "assets/x/.tmp-1234",
      "asset-ids/0/k",
      "other/x/k",
      "/etc/passwd",
      "",
    ]) {
      expect(parseObjectKey(bad), bad).toBeUndefined();
    }
  });
});
