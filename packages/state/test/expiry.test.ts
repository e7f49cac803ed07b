import { describe, expect, it } from "vitest";
import { isExpired, resolveExpiresAt } from "../src/expiry.js";
import { isStateStoreError } from "../src/state-store-error.js";

const NOW = new Date("2026-01-01T00:00:00Z");

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("resolveExpiresAt", () => {
  it("reads null and undefined as never", () => {
    expect(resolveExpiresAt(null, { defaultRetentionDays: 3, now: NOW })).toBeNull();
    expect(resolveExpiresAt(undefined, { defaultRetentionDays: 3, now: NOW })).toBeNull();
  });

  it("turns ISO-8601 text with an offset or Z into the UTC instant", () => {
    const options = { defaultRetentionDays: undefined, now: NOW };
    expect(resolveExpiresAt("2026-06-01T02:00:00+02:00", options)?.valueOf()).toBe(
      Date.parse("2026-06-01T00:00:00Z"),
    );
    expect(resolveExpiresAt("2026-06-01T00:00:00.5z", options)?.valueOf()).toBe(
      Date.parse("2026-06-01T00:00:00.500Z"),
    );
    expect(resolveExpiresAt("2026-06-01 00:00-0130", options)?.valueOf()).toBe(
      Date.parse("2026-06-01T01:30:00Z"),
    );
    const date = new Date("2027-01-01T00:00:00Z");
    expect(resolveExpiresAt(date, options)).toBe(date);
  });

  it.each(["2026-06-01T00:00:00", "2026-06-01", "tomorrow", "", "2026-13-45T00:00:00Z"])(
    "refuses %j, naming the field",
    (input) => {
      const error = thrown(() =>
        resolveExpiresAt(input, { defaultRetentionDays: 1, now: NOW, field: "body.expires_at" }),
      );
      expect(isStateStoreError(error, "INVALID_VALUE")).toBe(true);
      expect((error as { details: unknown }).details).toEqual({ field: "body.expires_at" });
    },
  );

  it("refuses an invalid Date", () => {
    const error = thrown(() => resolveExpiresAt(new Date(Number.NaN), { defaultRetentionDays: 1, now: NOW }));
    expect(isStateStoreError(error, "INVALID_VALUE")).toBe(true);
    expect((error as Error).message).toContain("expires_at is an invalid Date");
  });

  it("applies the default retention in days from now; 0 is never; unknown stays default", () => {
    expect(resolveExpiresAt("default", { defaultRetentionDays: 30, now: NOW })?.valueOf()).toBe(
      Date.parse("2026-01-31T00:00:00Z"),
    );
    expect(resolveExpiresAt("default", { defaultRetentionDays: 0.5, now: NOW })?.valueOf()).toBe(
      Date.parse("2026-01-01T12:00:00Z"),
    );
    expect(resolveExpiresAt("default", { defaultRetentionDays: 0, now: NOW })).toBeNull();
    expect(resolveExpiresAt("default", { defaultRetentionDays: undefined, now: NOW })).toBe("default");
  });

  it("refuses a negative or non-finite default retention", () => {
    for (const days of [-1, Number.POSITIVE_INFINITY, Number.NaN]) {
      const error = thrown(() => resolveExpiresAt("default", { defaultRetentionDays: days, now: NOW }));
      expect(isStateStoreError(error, "INVALID_VALUE")).toBe(true);
      expect((error as { details: unknown }).details).toEqual({
        field: "expires_at",
        option: "state_store.default_retention_days",
      });
    }
  });

  it("with requireFuture refuses now and the past, accepts a later instant", () => {
    const options = { defaultRetentionDays: 1, now: NOW, requireFuture: true };
    expect(
      isStateStoreError(
        thrown(() => resolveExpiresAt(NOW.toISOString(), options)),
        "INVALID_VALUE",
      ),
    ).toBe(true);
    expect(
      isStateStoreError(
        thrown(() => resolveExpiresAt("2025-12-31T23:59:59Z", options)),
        "INVALID_VALUE",
      ),
    ).toBe(true);
    expect(resolveExpiresAt("2026-01-01T00:00:01Z", options)?.valueOf()).toBe(NOW.valueOf() + 1000);
  });
});

describe("isExpired", () => {
  it("is true at and after the instant, false before and for never", () => {
    expect(isExpired(new Date(NOW.valueOf() + 1), NOW)).toBe(false);
    expect(isExpired(NOW, NOW)).toBe(true);
    expect(isExpired(new Date(NOW.valueOf() - 1), NOW)).toBe(true);
    expect(isExpired(null, NOW)).toBe(false);
    expect(isExpired(undefined, NOW)).toBe(false);
  });
});
