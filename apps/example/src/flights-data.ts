import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** One flight of the input, with its position in the file as a stable identity. */
export interface Flight {
  /** Position in flights-20k.json, 0-based: the flight's identity (the file has no id column). */
  readonly index: number;
  /** Scheduled departure, local time of the record, as `YYYY-MM-DDTHH:MM` (sorts like time). */
  readonly departure: string;
  /** Departure delay in minutes (negative: early). */
  readonly delay: number;
  /** Distance in miles. */
  readonly distance: number;
  /** Origin airport code. */
  readonly origin: string;
  /** Destination airport code. */
  readonly destination: string;
}

/** The input data set as loaded and verified by {@link loadFlights}. */
export interface FlightsDataset {
  /** Absolute path of flights-20k.json inside the installed vega-datasets package. */
  readonly file: string;
  /** The vega-datasets version it came from. */
  readonly version: string;
  /** Size of the file in bytes. */
  readonly bytes: number;
  /** The file's git blob SHA-1 (`sha1("blob <size>\0" + bytes)`), as datapackage.json lists it. */
  readonly sha1: string;
  /** Every flight, in file order (which is departure order). */
  readonly flights: readonly Flight[];
}

/** The file of the data set inside the vega-datasets package. */
export const FLIGHTS_FILE_NAME = "flights-20k.json";

/** Where the watermark starts before any load: earlier than every flight. */
export const INITIAL_WATERMARK = "1970-01-01T00:00";

const DATE = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2})$/;
const AIRPORT = /^[A-Z0-9]{3,4}$/;

function packageDirectory(): string {
  // vega-datasets exports only its entry point, so locate the package through it: <pkg>/build/index.js.
  const require = createRequire(import.meta.url);
  return dirname(dirname(require.resolve("vega-datasets")));
}

function fail(message: string): never {
  throw new Error(`${FLIGHTS_FILE_NAME}: ${message}; reinstall the workspace (pnpm install)`);
}

function toFlight(record: unknown, index: number): Flight {
  const r = record as Record<string, unknown>;
  const match = typeof r?.date === "string" ? DATE.exec(r.date) : null;
  if (match === null)
    fail(`record ${index} has date ${JSON.stringify(r?.date)}, expected "YYYY/MM/DD HH:MM"`);
  for (const field of ["delay", "distance"] as const) {
    if (!Number.isSafeInteger(r[field])) fail(`record ${index} has a non-integer ${field}`);
  }
  for (const field of ["origin", "destination"] as const) {
    if (typeof r[field] !== "string" || !AIRPORT.test(r[field])) {
      fail(`record ${index} has ${field} ${JSON.stringify(r[field])}, expected an airport code`);
    }
  }
  const [, y, mo, d, h, mi] = match;
  return Object.freeze({
    index,
    departure: `${y}-${mo}-${d}T${h}:${mi}`,
    delay: r.delay as number,
    distance: r.distance as number,
    origin: r.origin as string,
    destination: r.destination as string,
  });
}

/**
 * Loads the real US flight records of vega-datasets (`data/flights-20k.json`) from the installed package
 * (no download) and verifies them: size and git blob SHA-1 against the package's own `datapackage.json`, every
 * record's fields, and departure order.
 *
 * @returns the data set.
 * @throws Error naming the file and what is wrong (missing package, changed bytes, a malformed record).
 */
export function loadFlights(): FlightsDataset {
  const dir = packageDirectory();
  const file = join(dir, "data", FLIGHTS_FILE_NAME);
  const meta = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string };
  const pkg = JSON.parse(readFileSync(join(dir, "datapackage.json"), "utf8")) as {
    resources?: { path?: string; hash?: string; bytes?: number }[];
  };
  const resource = pkg.resources?.find((r) => r.path === FLIGHTS_FILE_NAME);
  const bytes = readFileSync(file);
  // datapackage.json lists git blob hashes: SHA-1 over "blob <size>\0" followed by the bytes.
  const sha1 = createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
  if (resource?.hash !== undefined && resource.hash !== `sha1:${sha1}`) {
    fail(`SHA-1 ${sha1} differs from datapackage.json's ${resource.hash}`);
  }
  if (resource?.bytes !== undefined && resource.bytes !== bytes.length) {
    fail(`${bytes.length} bytes, datapackage.json says ${resource.bytes}`);
  }
  const records = JSON.parse(bytes.toString("utf8")) as unknown;
  if (!Array.isArray(records)) fail("is not a JSON array");
  const flights = records.map(toFlight);
  for (let i = 1; i < flights.length; i++) {
    if ((flights[i] as Flight).departure < (flights[i - 1] as Flight).departure) {
      fail(`record ${i} departs before record ${i - 1}; the file is expected in departure order`);
    }
  }
  return Object.freeze({
    file,
    version: meta.version,
    bytes: bytes.length,
    sha1,
    flights: Object.freeze(flights),
  });
}

/**
 * The calendar days from the first flight's day to the last one's, as `YYYY-MM-DD` (UTC calendar).
 *
 * @param flights - flights in departure order.
 * @returns the days, in order (90 for the full file: 2001-01-01 … 2001-03-31).
 */
export function calendarDays(flights: readonly Flight[]): string[] {
  const first = flights[0];
  const last = flights[flights.length - 1];
  if (first === undefined || last === undefined) return [];
  const days: string[] = [];
  const end = Date.parse(`${dayOf(last.departure)}T00:00:00Z`);
  for (let t = Date.parse(`${dayOf(first.departure)}T00:00:00Z`); t <= end; t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/** The day (`YYYY-MM-DD`) of a departure or watermark. */
export function dayOf(timestamp: string): string {
  return timestamp.slice(0, 10);
}

/** The last minute of a day, `YYYY-MM-DDT23:59`: a run's data interval ends there (inclusive). */
export function endOfDay(day: string): string {
  return `${day}T23:59`;
}

/**
 * The flights after `after` up to `through`, both `YYYY-MM-DDTHH:MM` (after exclusive, through inclusive).
 *
 * @returns the flights in file order.
 */
export function flightsBetween(flights: readonly Flight[], after: string, through: string): Flight[] {
  return flights.filter((f) => f.departure > after && f.departure <= through);
}
