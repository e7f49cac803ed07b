import { defineTask, type TaskContext, type TaskDefinition } from "@tidemark/task-sdk";
import { type AirportStats, addFlights, emptyAirportStats } from "../airport-stats.js";
import { type Flight, flightsBetween, INITIAL_WATERMARK } from "../flights-data.js";
import type { Warehouse } from "../warehouse.js";
import { ASSET_KEYS, FLIGHTS_ASSET, TASK_IDS } from "./flights-dag.js";

/** What the ingest task needs besides its context. */
export interface IngestFlightsOptions {
  /** The source records (the file, in departure order). */
  readonly flights: readonly Flight[];
  /** The warehouse to load into. */
  readonly warehouse: Warehouse;
  /** The end of the run's data interval, inclusive: `YYYY-MM-DDT23:59` of its day. */
  readonly through: string;
}

/** What one ingest attempt did. */
export interface IngestResult {
  /** The watermark read at the start. */
  readonly after: string;
  /** The watermark after the run (unchanged when nothing was new). */
  readonly watermark: string;
  /** Flights loaded. */
  readonly loaded: number;
  /** Rows an earlier, interrupted attempt had committed for the same interval (replaced, not duplicated). */
  readonly replaced: number;
  /** Whether `airport_stats` already held this batch (an earlier attempt died after updating it). */
  readonly statsAlreadyMerged: boolean;
}

function inconsistent(message: string): Error {
  return new Error(
    `asset "${FLIGHTS_ASSET.name}": ${message}; the asset state does not match the warehouse (clear the asset state and the warehouse to start over)`,
  );
}

async function readStats(ctx: TaskContext, after: string): Promise<AirportStats> {
  const stats = await ctx.assetStateStore.for(FLIGHTS_ASSET).get<AirportStats>(ASSET_KEYS.airportStats);
  if (stats !== undefined) return stats;
  if (after !== INITIAL_WATERMARK)
    throw inconsistent(`the watermark is ${after} but airport_stats is missing`);
  return emptyAirportStats(INITIAL_WATERMARK);
}

/**
 * The task `ingest_flights` (inlet and outlet: asset "flights"), the asset state watermark pattern:
 * 1. reads the watermark (default `1970-01-01T00:00`) with its version;
 * 2. loads the flights after it up to the end of the run's day into the warehouse, in one transaction
 *    that first removes whatever an earlier attempt committed for the same interval;
 * 3. merges the batch into `airport_stats` (offloaded to object storage by the worker backend), unless an
 *    earlier attempt already did (the aggregates record the watermark they cover);
 * 4. only then advances the watermark with compare-and-set (`ifAbsent` on the first load, else
 *    `ifVersion`), so a concurrent writer makes this attempt fail instead of losing an update;
 * 5. records the load as `last_load`.
 * A crash anywhere leaves a state the retry completes without a duplicate or a gap.
 *
 * @param options - source flights, warehouse, interval end.
 * @returns the task definition (one retry).
 */
export function ingestFlightsTask(options: IngestFlightsOptions): TaskDefinition<IngestResult> {
  return defineTask<IngestResult>({
    taskId: TASK_IDS.ingest,
    inlets: [FLIGHTS_ASSET],
    outlets: [FLIGHTS_ASSET],
    retries: 1,
    async execute(ctx) {
      // Compare-and-set writes stay inline even with the worker backend, so the watermark row is the value.
      const watermarkStore = ctx.assetStateStore.for(FLIGHTS_ASSET);
      const entry = await watermarkStore.getEntry<string>(ASSET_KEYS.watermark);
      const after = entry?.value ?? INITIAL_WATERMARK;
      const batch = flightsBetween(options.flights, after, options.through);
      const last = batch[batch.length - 1];
      if (last === undefined) {
        ctx.log.info({ watermark: after, through: options.through }, "nothing new after the watermark");
        return { after, watermark: after, loaded: 0, replaced: 0, statsAlreadyMerged: false };
      }
      const watermark = last.departure;
      const { replaced } = options.warehouse.load({
        runId: ctx.runId,
        tryNumber: ctx.tryNumber,
        after,
        through: watermark,
        flights: batch,
      });

      const stats = await readStats(ctx, after);
      const statsAlreadyMerged = stats.through === watermark;
      if (!statsAlreadyMerged) {
        if (stats.through !== after) {
          throw inconsistent(
            `airport_stats covers flights through ${stats.through}, the watermark is ${after}`,
          );
        }
        await ctx.assetStateStore
          .for(FLIGHTS_ASSET)
          .set(ASSET_KEYS.airportStats, addFlights(stats, batch, watermark));
      }

      if (entry !== null && entry.version === null) {
        throw new Error("the server backend reports no versions, so the watermark cannot be compare-and-set");
      }
      await watermarkStore.set(
        ASSET_KEYS.watermark,
        watermark,
        entry === null ? { ifAbsent: true } : { ifVersion: entry.version as number },
      );
      await ctx.assetStateStore.for(FLIGHTS_ASSET).set(ASSET_KEYS.lastLoad, {
        run_id: ctx.runId,
        try_number: ctx.tryNumber,
        after,
        through: watermark,
        flights: batch.length,
      });
      ctx.log.info(
        { after, watermark, loaded: batch.length, replaced },
        "loaded flights and advanced the watermark",
      );
      return { after, watermark, loaded: batch.length, replaced, statsAlreadyMerged };
    },
  });
}
