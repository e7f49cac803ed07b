import { describe, expect, it } from "vitest";
import { addFlights, emptyAirportStats, rankAirportsByAverageDelay } from "../src/airport-stats.js";
import type { Flight } from "../src/flights-data.js";

function flight(index: number, origin: string, destination: string, delay: number): Flight {
  return {
    index,
    departure: `2001-01-01T00:${String(index).padStart(2, "0")}`,
    delay,
    distance: 100,
    origin,
    destination,
  };
}

describe("airport_stats aggregates", () => {
  it("merging batches equals aggregating everything at once, and never mutates the input", () => {
    const all = [
      flight(1, "ORD", "LAX", 10),
      flight(2, "ORD", "SFO", -5),
      flight(3, "SFO", "ORD", 30),
      flight(4, "ORD", "LAX", 45),
    ];
    const start = emptyAirportStats("1970-01-01T00:00");
    const first = addFlights(start, all.slice(0, 2), "2001-01-01T00:02");
    const snapshot = JSON.stringify(first);
    const merged = addFlights(first, all.slice(2), "2001-01-01T00:04");
    expect(JSON.stringify(first)).toBe(snapshot);
    expect(merged).toEqual(addFlights(start, all, "2001-01-01T00:04"));
    expect(merged.airports.ORD).toEqual({
      flights: 3,
      totalDelay: 50,
      worstDelay: 45,
      routes: { LAX: 2, SFO: 1 },
    });
    expect(merged.flights).toBe(4);
  });

  it("ranks by average delay, then more flights, then code, leaving out small airports", () => {
    const flights = [
      ...Array.from({ length: 2 }, (_, i) => flight(i, "AAA", "X", 10)),
      ...Array.from({ length: 3 }, (_, i) => flight(10 + i, "BBB", "X", 10)),
      ...Array.from({ length: 2 }, (_, i) => flight(20 + i, "CCC", "X", 10)),
      ...Array.from({ length: 2 }, (_, i) => flight(30 + i, "DDD", "X", 50)),
      flight(40, "EEE", "X", 500),
    ];
    const stats = addFlights(emptyAirportStats("1970-01-01T00:00"), flights, "2001-01-01T00:40");
    const ranking = rankAirportsByAverageDelay(stats, { minFlights: 2, limit: 3 });
    expect(ranking.map((r) => r.airport)).toEqual(["DDD", "BBB", "AAA"]);
    expect(ranking[0]).toMatchObject({ flights: 2, averageDelay: 50, worstDelay: 50, routes: 1 });
  });
});
