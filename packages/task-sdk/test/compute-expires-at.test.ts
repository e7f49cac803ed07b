import { isStateStoreError } from "@tidemark/state";
import { describe, expect, it } from "vitest";
import { computeExpiresAt, NEVER_EXPIRE } from "../src/index.js";

const NOW = new Date("2026-05-14T12:00:00.000Z");

/** The instant as text, or the non-instant answer as is. */
const iso = (at: Date | null | "default") => (at instanceof Date ? at.toISOString() : at);

describe("computeExpiresAt (retention arithmetic on the worker, UTC)", () => {
  it("uses default_retention_days when no retention is given", () => {
    expect(iso(computeExpiresAt(undefined, NOW, 30))).toBe("2026-06-13T12:00:00.000Z");
  });

  it('sends "default" when the worker does not know default_retention_days, so the server applies its own', () => {
    expect(computeExpiresAt(undefined, NOW, undefined)).toBe("default");
    expect(iso(computeExpiresAt(1500, NOW, undefined))).toBe("2026-05-14T12:00:01.500Z");
    expect(computeExpiresAt(NEVER_EXPIRE, NOW, undefined)).toBeNull();
  });

  it("never expires when default_retention_days is 0", () => {
    expect(computeExpiresAt(undefined, NOW, 0)).toBeNull();
  });

  it("never expires with NEVER_EXPIRE, whatever the default", () => {
    expect(computeExpiresAt(NEVER_EXPIRE, NOW, 30)).toBeNull();
  });

  it("adds an explicit retention in milliseconds", () => {
    expect(iso(computeExpiresAt(7 * 86_400_000, NOW, 30))).toBe("2026-05-21T12:00:00.000Z");
    expect(iso(computeExpiresAt(1500, NOW, 30))).toBe("2026-05-14T12:00:01.500Z");
    expect(iso(computeExpiresAt(0, NOW, 30))).toBe(NOW.toISOString());
  });

  it("crosses a daylight-saving change by exact days, since it works in UTC", () => {
    const beforeDst = new Date("2026-03-28T12:00:00.000Z");
    expect(iso(computeExpiresAt(undefined, beforeDst, 2))).toBe("2026-03-30T12:00:00.000Z");
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
