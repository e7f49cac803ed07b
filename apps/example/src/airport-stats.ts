import type { Flight } from "./flights-data.js";

/** Aggregates of the flights departing from one airport. */
export interface AirportAggregate {
  /** Departures counted. */
  readonly flights: number;
  /** Sum of their delays, in minutes. */
  readonly totalDelay: number;
  /** The largest delay, in minutes. */
  readonly worstDelay: number;
  /** Departures per destination airport code. */
  readonly routes: Readonly<Record<string, number>>;
}

/**
 * The asset state value `airport_stats` of asset "flights": per-airport aggregates of every flight loaded
 * so far, and the watermark they cover (so a retried load never counts a batch twice).
 */
export interface AirportStats {
  /** The watermark the aggregates include, `YYYY-MM-DDTHH:MM`. */
  readonly through: string;
  /** Flights aggregated in all. */
  readonly flights: number;
  /** Aggregates by origin airport code. */
  readonly airports: Readonly<Record<string, AirportAggregate>>;
}

/** One line of the delay ranking. */
export interface AirportRanking {
  readonly airport: string;
  readonly flights: number;
  readonly totalDelay: number;
  /** totalDelay / flights, in minutes. */
  readonly averageDelay: number;
  readonly worstDelay: number;
  /** Distinct destinations. */
  readonly routes: number;
}

/** Options of {@link rankAirportsByAverageDelay}. */
export interface RankingOptions {
  /** How many airports. Default 10. */
  readonly limit?: number;
  /** Airports with fewer departures are left out (a single late flight is not a pattern). Default 20. */
  readonly minFlights?: number;
}

/** Airports need this many departures to be ranked. */
export const DEFAULT_MIN_FLIGHTS = 20;

/**
 * Aggregates before any load.
 *
 * @param through - the watermark they cover.
 */
export function emptyAirportStats(through: string): AirportStats {
  return { through, flights: 0, airports: {} };
}

/**
 * Adds flights to the aggregates, returning new aggregates that cover `through`.
 *
 * @param stats - the current aggregates (not modified).
 * @param flights - the newly loaded flights.
 * @param through - the watermark after the load.
 * @returns the merged aggregates.
 */
export function addFlights(stats: AirportStats, flights: readonly Flight[], through: string): AirportStats {
  const airports: Record<
    string,
    { flights: number; totalDelay: number; worstDelay: number; routes: Record<string, number> }
  > = {};
  for (const [code, a] of Object.entries(stats.airports)) airports[code] = { ...a, routes: { ...a.routes } };
  for (const f of flights) {
    let a = airports[f.origin];
    if (a === undefined) {
      a = { flights: 0, totalDelay: 0, worstDelay: f.delay, routes: {} };
      airports[f.origin] = a;
    }
    a.flights += 1;
    a.totalDelay += f.delay;
    a.worstDelay = Math.max(a.worstDelay, f.delay);
    a.routes[f.destination] = (a.routes[f.destination] ?? 0) + 1;
  }
  return { through, flights: stats.flights + flights.length, airports };
}

/**
 * Ranks airports by average departure delay, highest first (ties: more flights first, then the code).
 *
 * @param stats - the aggregates.
 * @param options - how many, and the fewest departures an airport needs.
 * @returns the ranking.
 */
export function rankAirportsByAverageDelay(
  stats: AirportStats,
  options: RankingOptions = {},
): AirportRanking[] {
  const minFlights = options.minFlights ?? DEFAULT_MIN_FLIGHTS;
  return Object.entries(stats.airports)
    .filter(([, a]) => a.flights >= minFlights)
    .map(([airport, a]) => ({
      airport,
      flights: a.flights,
      totalDelay: a.totalDelay,
      averageDelay: a.totalDelay / a.flights,
      worstDelay: a.worstDelay,
      routes: Object.keys(a.routes).length,
    }))
    .sort(
      (x, y) =>
        y.averageDelay - x.averageDelay ||
        y.flights - x.flights ||
        (x.airport < y.airport ? -1 : x.airport > y.airport ? 1 : 0),
    )
    .slice(0, options.limit ?? 10);
}
