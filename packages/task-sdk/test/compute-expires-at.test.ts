import { isStateStoreError } from "@tidemark/state";
import { describe, expect, it } from "vitest";
import { computeExpiresAt, NEVER_EXPIRE } from "../src/index.js";

const NOW = new Date("2026-05-14T12:00:00.000Z");

describe("computeExpiresAt (retention arithmetic on the worker, UTC)", () => {
  it("uses default_retention_days when no retention is given", () => {
    expect(computeExpiresAt(undefined, NOW, 30)?.toISOString()).toBe("2026-06-13T12:00:00.000Z");
  });

  it("never expires when default_retention_days is 0", () => {
    expect(computeExpiresAt(undefined, NOW, 0)).toBeNull();
  });

  it("never expires with NEVER_EXPIRE, whatever the default", () => {
    expect(computeExpiresAt(NEVER_EXPIRE, NOW, 30)).toBeNull();
  });

  it("adds an explicit retention in milliseconds", () => {
    expect(computeExpiresAt(7 * 86_400_000, NOW, 30)?.toISOString()).toBe("2026-05-21T12:00:00.000Z");
    expect(computeExpiresAt(1500, NOW, 30)?.toISOString()).toBe("2026-05-14T12:00:01.500Z");
    expect(computeExpiresAt(0, NOW, 30)?.toISOString()).toBe(NOW.toISOString());
  });

  it("crosses a daylight-saving change by exact days, since it works in UTC", () => {
    const beforeDst = new Date("2026-03-28T12:00:00.000Z");
    expect(computeExpiresAt(undefined, beforeDst, 2)?.toISOString()).toBe("2026-03-30T12:00:00.000Z");
  });

  it.each([
    [-1, "negative"],
    [Number.NaN, "NaN"],
    [Number.POSITIVE_INFINITY, "Infinity"],
    [8.64e15, "beyond the largest date"],
  ])("rejects a retention of %s (%s) with INVALID_VALUE", (retention) => {
    let error: unknown;
    try {
      computeExpiresAt(retention, NOW, 30);
    } catch (e) {
      error = e;
    }
    expect(isStateStoreError(error, "INVALID_VALUE")).toBe(true);
    expect((error as Error).message).toMatch(/retentionMs|NEVER_EXPIRE/);
  });

  it("rejects a retention that is not a number", () => {
    expect(() => computeExpiresAt("7d" as unknown as number, NOW, 30)).toThrow(/retentionMs must be/);
  });
});
