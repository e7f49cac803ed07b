/** Options of the time formatters; tests pin locale and time zone, the browser uses its own. */
export interface TimeFormatOptions {
  /** BCP 47 locale; the browser's by default. */
  readonly locale?: string;
  /** IANA time zone; the browser's by default. */
  readonly timeZone?: string;
}

const UNITS: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600 * 1000],
  ["month", 30 * 24 * 3600 * 1000],
  ["week", 7 * 24 * 3600 * 1000],
  ["day", 24 * 3600 * 1000],
  ["hour", 3600 * 1000],
  ["minute", 60 * 1000],
  ["second", 1000],
];

/**
 * Says how far `iso` is from `now` in words: "in 3 days", "2 hours ago", "now".
 *
 * Picks the largest unit of which there is at least one whole, and rounds to it.
 *
 * @param iso - an ISO-8601 date-time (UTC from the API).
 * @param now - the reference instant, milliseconds since the epoch (Date.now() by default).
 * @param options - locale.
 * @returns the relative time in words.
 */
export function formatRelative(
  iso: string,
  now: number = Date.now(),
  options: TimeFormatOptions = {},
): string {
  const diff = Date.parse(iso) - now;
  const rtf = new Intl.RelativeTimeFormat(options.locale, { numeric: "auto" });
  const abs = Math.abs(diff);
  for (const [unit, ms] of UNITS) {
    if (abs >= ms) return rtf.format(Math.round(diff / ms), unit);
  }
  return rtf.format(0, "second");
}

/**
 * Shows an instant as local date and time, e.g. "Mar 4, 2026, 14:05:09".
 *
 * @param iso - an ISO-8601 date-time.
 * @param options - locale and time zone.
 * @returns the local date and time.
 */
export function formatLocal(iso: string, options: TimeFormatOptions = {}): string {
  return new Intl.DateTimeFormat(options.locale, {
    dateStyle: "medium",
    timeStyle: "medium",
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
  }).format(new Date(iso));
}

/** An instant's wall-clock reading in one zone, as {@link formatZoned} assembles it. */
interface WallClock {
  readonly date: string;
  readonly time: string;
  readonly zone: string;
}

function wallClock(ms: number, timeZone: string | undefined, locale: string | undefined): WallClock {
  const parts = new Intl.DateTimeFormat(locale, {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
    ...(timeZone ? { timeZone } : {}),
  }).formatToParts(ms);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  return {
    date: `${part("year")}-${part("month")}-${part("day")}`,
    time: `${part("hour")}:${part("minute")}:${part("second")}`,
    zone: part("timeZoneName"),
  };
}

/**
 * Shows an instant as an unambiguous date-time in UTC, e.g. "2026-12-01 14:04:05 UTC".
 *
 * @param iso - an ISO-8601 date-time.
 * @returns the date and time in UTC, seconds precision.
 */
export function formatUtc(iso: string): string {
  const utc = wallClock(Date.parse(iso), "UTC", "en-GB");
  return `${utc.date} ${utc.time} UTC`;
}

/**
 * Shows an instant in the local zone, naming the zone, with UTC beside it:
 * "2026-12-01 15:04:05 CET (14:04:05 UTC)". The UTC part carries its date too when that differs
 * ("2026-12-01 00:30:00 CET (2026-11-30 23:30:00 UTC)"); in UTC itself it is only "2026-12-01 14:04:05 UTC".
 * The zone abbreviation follows the locale (en-GB says "CET", en-US "GMT+1").
 *
 * @param iso - an ISO-8601 date-time.
 * @param options - locale and time zone (the browser's by default).
 * @returns the date-time with its zone and UTC.
 */
export function formatZoned(iso: string, options: TimeFormatOptions = {}): string {
  const ms = Date.parse(iso);
  const local = wallClock(ms, options.timeZone, options.locale);
  const utc = wallClock(ms, "UTC", "en-GB");
  if (local.date === utc.date && local.time === utc.time) return `${utc.date} ${utc.time} UTC`;
  const utcText = local.date === utc.date ? utc.time : `${utc.date} ${utc.time}`;
  return `${local.date} ${local.time} ${local.zone} (${utcText} UTC)`;
}

/**
 * Tells whether an entry's expiry has passed: such an entry no longer exists and is never shown.
 *
 * @param expiresAt - ISO-8601 instant or null (never expires).
 * @param now - milliseconds since the epoch.
 * @returns true when `expiresAt` is at or before `now`.
 */
export function isExpired(expiresAt: string | null, now: number = Date.now()): boolean {
  return expiresAt !== null && Date.parse(expiresAt) <= now;
}

/**
 * Converts the value of an `<input type="datetime-local">` (a naive local date-time, "2026-03-04T14:05")
 * into an ISO-8601 UTC instant the API accepts (it refuses naive date-times).
 *
 * @param local - the input's value.
 * @returns the instant as ISO-8601 with "Z", or undefined when the text is not a date-time.
 */
export function localInputToIso(local: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(local)) return undefined;
  const date = new Date(local); // no offset in the text: read as local time
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * Converts an instant to the value format of `<input type="datetime-local">`, in local time.
 *
 * @param ms - milliseconds since the epoch.
 * @returns "YYYY-MM-DDTHH:MM".
 */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
