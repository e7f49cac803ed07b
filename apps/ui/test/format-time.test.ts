import { describe, expect, it } from "vitest";
import {
  formatLocal,
  formatRelative,
  formatUtc,
  formatZoned,
  isExpired,
  localInputToIso,
  toLocalInput,
} from "../src/format/format-time";

const now = Date.parse("2026-03-01T12:00:00Z");

describe("formatRelative", () => {
  it("says in how long or how long ago, in the largest whole unit", () => {
    expect(formatRelative("2026-03-04T12:00:00Z", now, { locale: "en" })).toBe("in 3 days");
    expect(formatRelative("2026-03-01T10:00:00Z", now, { locale: "en" })).toBe("2 hours ago");
    expect(formatRelative("2026-03-01T12:05:00Z", now, { locale: "en" })).toBe("in 5 minutes");
    expect(formatRelative("2026-03-02T12:00:00Z", now, { locale: "en" })).toBe("tomorrow");
    expect(formatRelative("2026-03-01T12:00:00Z", now, { locale: "en" })).toBe("now");
    expect(formatRelative("2027-03-01T12:00:00Z", now, { locale: "en" })).toBe("next year");
  });
});

describe("formatLocal", () => {
  it("shows the instant in the given time zone", () => {
    expect(formatLocal("2026-03-01T12:00:00Z", { locale: "en-GB", timeZone: "Europe/Berlin" })).toBe(
      "1 Mar 2026, 13:00:00",
    );
  });
});

describe("formatZoned", () => {
  const berlin = { locale: "en-GB", timeZone: "Europe/Berlin" };

  it("names the zone and shows UTC beside it", () => {
    expect(formatZoned("2026-12-01T14:04:05Z", berlin)).toBe("2026-12-01 15:04:05 CET (14:04:05 UTC)");
    expect(formatZoned("2026-07-01T14:04:05.123Z", berlin)).toBe("2026-07-01 16:04:05 CEST (14:04:05 UTC)");
  });

  it("gives UTC its own date when the day differs", () => {
    expect(formatZoned("2026-11-30T23:30:00Z", berlin)).toBe(
      "2026-12-01 00:30:00 CET (2026-11-30 23:30:00 UTC)",
    );
    expect(formatZoned("2026-12-01T02:00:00Z", { locale: "en-US", timeZone: "America/New_York" })).toBe(
      "2026-11-30 21:00:00 EST (2026-12-01 02:00:00 UTC)",
    );
  });

  it("says UTC once in UTC, and reads offsets in the input", () => {
    expect(formatZoned("2026-12-01T14:04:05Z", { locale: "en-GB", timeZone: "UTC" })).toBe(
      "2026-12-01 14:04:05 UTC",
    );
    expect(formatZoned("2026-12-01T15:04:05+01:00", { locale: "en-GB", timeZone: "UTC" })).toBe(
      "2026-12-01 14:04:05 UTC",
    );
    expect(formatZoned("2026-12-01T14:04:05Z", { locale: "en-US", timeZone: "Asia/Kolkata" })).toBe(
      "2026-12-01 19:34:05 GMT+5:30 (14:04:05 UTC)",
    );
  });
});

describe("formatUtc", () => {
  it("shows the instant in UTC to the second", () => {
    expect(formatUtc("2026-12-01T15:04:05.999+01:00")).toBe("2026-12-01 14:04:05 UTC");
  });
});

describe("isExpired", () => {
  it("treats null as never and a past instant as expired", () => {
    expect(isExpired(null, now)).toBe(false);
    expect(isExpired("2026-03-01T11:59:59Z", now)).toBe(true);
    expect(isExpired("2026-03-01T12:00:01Z", now)).toBe(false);
  });
});

describe("localInputToIso", () => {
  it("reads a datetime-local value as local time and returns UTC with Z", () => {
    const iso = localInputToIso("2026-03-04T14:05");
    expect(iso).toMatch(/Z$/);
    expect(toLocalInput(Date.parse(iso!))).toBe("2026-03-04T14:05");
    expect(localInputToIso("tomorrow")).toBeUndefined();
    expect(localInputToIso("")).toBeUndefined();
  });
});
