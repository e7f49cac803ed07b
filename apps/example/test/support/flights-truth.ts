import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** A record of flights-20k.json as the file has it. */
interface RawFlight {
  date: string;
  delay: number;
  distance: number;
  origin: string;
  destination: string;
}

/** What the demo must report for the first N days, computed here independently of the demo's code. */
export interface FlightsTruth {
  /** Flights departing on the first N days. */
  readonly count: number;
  /** The last of their departures, `YYYY-MM-DDTHH:MM`. */
  readonly watermark: string;
  /** Top 10 origins by average delay among those with >= 20 departures. */
  readonly top: {
    airport: string;
    flights: number;
    totalDelay: number;
    worstDelay: number;
    routes: number;
  }[];
}

function readFlights(): RawFlight[] {
  const require = createRequire(import.meta.url);
  const dir = dirname(dirname(require.resolve("vega-datasets")));
  return JSON.parse(readFileSync(join(dir, "data", "flights-20k.json"), "utf8")) as RawFlight[];
}

/**
 * Reads flights-20k.json and computes the expected figures for the first `days` days of 2001.
 *
 * @param days - how many days, from 2001-01-01.
 */
export function flightsTruth(days: number): FlightsTruth {
  const end = new Date(Date.UTC(2001, 0, 1 + days)).toISOString().slice(0, 10).replaceAll("-", "/");
  const flights = readFlights().filter((f) => f.date < end);
  const last =
    flights
      .map((f) => f.date)
      .sort()
      .at(-1) ?? "";
  const byOrigin = new Map<
    string,
    { flights: number; totalDelay: number; worstDelay: number; routes: Set<string> }
  >();
  for (const f of flights) {
    const a = byOrigin.get(f.origin) ?? {
      flights: 0,
      totalDelay: 0,
      worstDelay: -Infinity,
      routes: new Set(),
    };
    a.flights += 1;
    a.totalDelay += f.delay;
    a.worstDelay = Math.max(a.worstDelay, f.delay);
    a.routes.add(f.destination);
    byOrigin.set(f.origin, a);
  }
  const top = [...byOrigin.entries()]
    .filter(([, a]) => a.flights >= 20)
    .map(([airport, a]) => ({
      airport,
      flights: a.flights,
      totalDelay: a.totalDelay,
      worstDelay: a.worstDelay,
      routes: a.routes.size,
    }))
    .sort(
      (x, y) =>
        y.totalDelay / y.flights - x.totalDelay / x.flights ||
        y.flights - x.flights ||
        x.airport.localeCompare(y.airport),
    )
    .slice(0, 10);
  return { count: flights.length, watermark: last.replace(/\//g, "-").replace(" ", "T"), top };
}
