// The ingest task's crash safety: a worker that dies after the warehouse commit, at each later step, is
// repaired by the retry without a duplicate or a double count. A real api-server (in process, port 0), a
// real SQLite metastore, real object storage; only the failed request is injected (through fetch).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type ApiServer,
  createApiServer,
  createTaskInstance,
  issueTaskToken,
  registerAsset,
} from "@tidemark/core";
import {
  createStateStoreObjectStorageBackend,
  type StateStoreObjectStorageBackend,
} from "@tidemark/provider-common-io";
import { AssetStateStoreAccessor, ExecutionApiClient, runTask, silentTaskLogger } from "@tidemark/task-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AirportStats, addFlights, emptyAirportStats } from "../src/airport-stats.js";
import { loadDemoConfig } from "../src/demo-config.js";
import { endOfDay, type Flight, INITIAL_WATERMARK, loadFlights } from "../src/flights-data.js";
import { DAG_ID, FLIGHTS_ASSET, scheduledRunId } from "../src/pipeline/flights-dag.js";
import { ingestFlightsTask } from "../src/pipeline/ingest-flights.js";
import { Warehouse } from "../src/warehouse.js";

describe("ingest_flights after a worker crash", () => {
  const flights = loadFlights().flights;
  let dir: string;
  let server: ApiServer;
  let baseUrl: string;
  let backend: StateStoreObjectStorageBackend;
  let warehouse: Warehouse;
  const config = () => loadDemoConfig({ cwd: dir, env: {} });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "tidemark-ingest-crash-"));
    server = await createApiServer({ config: config(), cwd: dir, logger: false });
    baseUrl = `${await server.listen({ host: "127.0.0.1", port: 0 })}/execution`;
    await registerAsset(server.database, { name: FLIGHTS_ASSET.name, uri: FLIGHTS_ASSET.uri });
    backend = createStateStoreObjectStorageBackend({ config: config() });
    warehouse = new Warehouse(join(dir, "warehouse.db"));
  });
  afterAll(async () => {
    warehouse?.close();
    await backend?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A fetch that fails the first PUT of one asset state key, as a worker dying before that write. */
  function failingFirstPutOf(key: string): typeof fetch {
    let failed = false;
    return async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (!failed && init?.method === "PUT" && url.includes(`key=${key}`)) {
        failed = true;
        throw new TypeError(`injected: the worker died before writing ${key}`);
      }
      return fetch(input, init);
    };
  }

  async function runDay(day: string, fetchImpl: typeof fetch = fetch) {
    const ti = await createTaskInstance(server.database, {
      dagId: DAG_ID,
      runId: scheduledRunId(day),
      taskId: "ingest_flights",
      inlets: [FLIGHTS_ASSET.name],
      outlets: [FLIGHTS_ASSET.name],
    });
    const token = await issueTaskToken({ key: server.secretKey.key, taskInstanceId: ti.id });
    const attempt = async (f: typeof fetch) => {
      const client = new ExecutionApiClient({ baseUrl, token, fetch: f, retry: { attempts: 1 } });
      return runTask({
        client,
        taskInstanceId: ti.id,
        task: ingestFlightsTask({ flights, warehouse, through: endOfDay(day) }),
        config: config(),
        workerBackend: backend,
        log: silentTaskLogger,
      });
    };
    const first = await attempt(fetchImpl);
    if (first.state === "success") return { first, retry: undefined };
    return { first, retry: await attempt(fetch) };
  }

  function expectedThrough(day: string): { flights: Flight[]; stats: AirportStats } {
    const covered = flights.filter((f) => f.departure <= endOfDay(day));
    const watermark = covered[covered.length - 1]?.departure ?? INITIAL_WATERMARK;
    return { flights: covered, stats: addFlights(emptyAirportStats(INITIAL_WATERMARK), covered, watermark) };
  }

  it("repairs a crash before airport_stats and one before the watermark, without duplicates", async () => {
    expect((await runDay("2001-01-01")).first.state).toBe("success");

    // Day 2: the worker dies when sending airport_stats. The object was already rewritten (deterministic
    // reference) but the watermark was not advanced; the retry reloads the interval and sees that
    // airport_stats already covers the batch.
    const day2 = await runDay("2001-01-02", failingFirstPutOf("airport_stats"));
    expect(day2.first.state).toBe("up_for_retry");
    expect(day2.retry?.state).toBe("success");
    const loaded2 =
      expectedThrough("2001-01-02").flights.length - expectedThrough("2001-01-01").flights.length;
    expect(day2.retry?.returnValue).toMatchObject({
      loaded: loaded2,
      replaced: loaded2,
      statsAlreadyMerged: true,
    });

    // Day 3: the worker dies when sending the watermark, after the load and airport_stats.
    const day3 = await runDay("2001-01-03", failingFirstPutOf("watermark"));
    expect(day3.first.state).toBe("up_for_retry");
    expect(day3.retry?.state).toBe("success");
    const loaded3 =
      expectedThrough("2001-01-03").flights.length - expectedThrough("2001-01-02").flights.length;
    expect(day3.retry?.returnValue).toMatchObject({
      loaded: loaded3,
      replaced: loaded3,
      statsAlreadyMerged: true,
    });

    const expected = expectedThrough("2001-01-03");
    expect(warehouse.counts()).toEqual({
      rows: expected.flights.length,
      distinctFlights: expected.flights.length,
    });
    expect(warehouse.sourceIndexesThrough(endOfDay("2001-01-03"))).toEqual(
      expected.flights.map((f) => f.index),
    );

    // Read back what the pipeline left, through the SDK with the last task instance's token.
    const ti = await createTaskInstance(server.database, {
      dagId: DAG_ID,
      runId: "manual__check",
      taskId: "ingest_flights",
      inlets: [FLIGHTS_ASSET.name],
    });
    const reader = new AssetStateStoreAccessor({
      client: new ExecutionApiClient({
        baseUrl,
        token: await issueTaskToken({ key: server.secretKey.key, taskInstanceId: ti.id }),
      }),
      asset: { name: FLIGHTS_ASSET.name },
      backend,
    });
    expect(await reader.get<string>("watermark")).toBe(expected.stats.through);
    expect(await reader.get<AirportStats>("airport_stats")).toEqual(expected.stats);
  });
});
