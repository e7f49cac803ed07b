import { describe, expect, it } from "vitest";
import {
  formatLocal,
  formatRelative,
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
