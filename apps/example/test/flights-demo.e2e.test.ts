// End to end: the built demo as a child process (which itself starts `tidemark api-server`), on SQLite +
// file://, on Postgres + S3 (s3rver) and on MySQL + Azure Blob (Azurite), checked against the file and
// against the stored rows and objects.

import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { BlobServiceClient } from "@azure/storage-blob";
import { createDatabase, redactDatabaseUrl } from "@tidemark/core";
import { type AzuriteHandle, startAzurite } from "@tidemark/testkit/azurite";
import { checkTestMysql, TEST_MYSQL_URL, testMysqlDatabaseUrl } from "@tidemark/testkit/mysql";
import { type S3rverHandle, startS3rver } from "@tidemark/testkit/s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FlightsTruth, flightsTruth } from "./support/flights-truth.js";
import { createThrowawaySchema, postgresProblem, type ThrowawaySchema } from "./support/postgres.js";
import { type DemoRun, demoEnvironment, runDemo } from "./support/run-demo.js";

const DAYS = 10;
const ENVELOPE_KEY = "__airflow_state_ref__";
// Two demo processes with an api-server child each, on a loaded 2-core machine.
const RUN_TIMEOUT_MS = 240_000;

const truth: FlightsTruth = flightsTruth(DAYS);

/** The value column of asset "flights" key "airport_stats", read straight from the metastore. */
async function airportStatsRow(url: string, cwd: string): Promise<string | undefined> {
  const database = createDatabase(url, { cwd });
  try {
    const row = await database.db
      .selectFrom("asset_state_store")
      .innerJoin("asset", "asset.id", "asset_state_store.asset_id")
      .select("asset_state_store.value as value")
      .where("asset.name", "=", "flights")
      .where("asset_state_store.key", "=", "airport_stats")
      .executeTakeFirst();
    return row?.value;
  } finally {
    await database.close();
  }
}

/** Asserts the envelope-only row and returns the reference. */
function envelopeRef(value: string | undefined): string {
  expect(value).toBeDefined();
  const parsed = JSON.parse(value as string) as Record<string, unknown>;
  expect(Object.keys(parsed)).toEqual([ENVELOPE_KEY]);
  const ref = parsed[ENVELOPE_KEY];
  expect(typeof ref).toBe("string");
  return ref as string;
}

/** Asserts the stored object is gzip and holds the aggregates of every expected flight. */
function expectGzipStats(body: Uint8Array): void {
  expect([body[0], body[1]]).toEqual([0x1f, 0x8b]);
  const stats = JSON.parse(gunzipSync(body).toString("utf8")) as { flights: number; through: string };
  expect(stats.flights).toBe(truth.count);
  expect(stats.through).toBe(truth.watermark);
}

function expectFirstRun(run: DemoRun): void {
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
  const report = run.report;
  expect(report).toBeDefined();
  if (report === undefined) return;
  expect(report.ok).toBe(true);
  expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  expect(report.ingested.thisInvocation).toBe(truth.count);
  expect(report.ingested.total).toBe(truth.count);
  expect(report.ingested.expected).toBe(truth.count);
  expect(report.watermark.value).toBe(truth.watermark);
  expect(
    report.topAirports.map(({ airport, flights, totalDelay, worstDelay, routes }) => ({
      airport,
      flights,
      totalDelay,
      worstDelay,
      routes,
    })),
  ).toEqual(truth.top);
  // --fail-once: the third day's delay report crashed after 2 pages and its retry resumed at page 3.
  expect(report.retries).toHaveLength(1);
  expect(report.retries[0]).toMatchObject({
    day: "2001-01-03",
    crashedTry: 1,
    resumedTry: 2,
    resumedAfterPages: 2,
    sameJob: true,
  });
  expect(run.stdout).toMatch(
    /2001-01-03 delay_report try 2 resumed at page 3\/\d+ from the task state checkpoint/,
  );
  expect(run.stdout).toContain(`Flights ingested  ${truth.count.toLocaleString("en-US")} this invocation`);
  // Inline: the watermark, last_load and each delay report's job_id; offloaded: airport_stats only.
  expect(report.state.offloaded.map((e) => e.key)).toEqual(["airport_stats"]);
  expect(
    report.state.inline
      .filter((e) => e.owner.startsWith("asset:"))
      .map((e) => e.key)
      .sort(),
  ).toEqual(["last_load", "watermark"]);
  // Without clear_on_success each delay report keeps its job_id (the checkpoint it deletes itself).
  expect(report.state.taskStateRows).toBe(DAYS);
  expect(new Set(report.state.taskKeys.map((k) => `${k.taskId}/${k.key}`))).toEqual(
    new Set(["delay_report/job_id"]),
  );
  expect(report.checks.find((c) => c.name === "delay_report task state")?.ok).toBe(true);
  expect(run.stdout).toContain("All ");
}

function expectNothingNew(run: DemoRun): void {
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
  expect(run.report?.ok).toBe(true);
  expect(run.report?.ingested.thisInvocation).toBe(0);
  expect(run.report?.ingested.total).toBe(truth.count);
  expect(run.report?.watermark.value).toBe(truth.watermark);
  expect(run.report?.runs.alreadySucceeded).toBe(DAYS);
  expect(run.report?.runs.catchUpRunId).toMatch(/^manual__/);
  expect(run.stdout).toContain(`ingest_flights: nothing new after watermark ${truth.watermark}`);
  expect(run.stdout).toContain("0 this invocation (nothing new after the watermark)");
}

describe("flights demo on SQLite + file:// (the embedded defaults)", () => {
  let cwd: string;

  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), "tidemark-example-"));
  });
  afterAll(() => {
    rmSync(cwd, { recursive: true, force: true });
  });

  it(
    `runs ${DAYS} days with --fail-once, verified against the file, then continues from the watermark`,
    async () => {
      const env = demoEnvironment();
      const first = await runDemo(cwd, ["--days", String(DAYS), "--fail-once"], env);
      expectFirstRun(first);

      const ref = envelopeRef(await airportStatsRow("sqlite:.tidemark/tidemark.db", cwd));
      expect(ref).toMatch(new RegExp(`^file://${cwd}/\\.tidemark/objects-[0-9a-f]{8}/`));
      expect(ref.endsWith(".gz")).toBe(true);
      expectGzipStats(readFileSync(fileURLToPath(ref)));

      const second = await runDemo(cwd, ["--days", String(DAYS)], env);
      expectNothingNew(second);
    },
    RUN_TIMEOUT_MS,
  );
});

const pgProblem = await postgresProblem();
if (pgProblem !== null && process.env.CI === "true") {
  throw new Error(`${pgProblem}; CI=true requires a real Postgres (set TIDEMARK_TEST_POSTGRES_URL)`);
}
if (pgProblem !== null) console.warn(`[example e2e] skipping the Postgres + S3 variant: ${pgProblem}`);

describe.skipIf(pgProblem !== null)(
  `flights demo on Postgres + S3 (s3rver)${pgProblem === null ? "" : ` — skipped: ${pgProblem}`}`,
  () => {
    let cwd: string;
    let schema: ThrowawaySchema;
    let s3: S3rverHandle;

    beforeAll(async () => {
      cwd = mkdtempSync(join(tmpdir(), "tidemark-example-pg-"));
      schema = await createThrowawaySchema();
      s3 = await startS3rver();
    });
    afterAll(async () => {
      await s3?.stop();
      await schema?.drop();
      rmSync(cwd, { recursive: true, force: true });
    });

    it(
      `runs ${DAYS} days with --fail-once against a throwaway schema and a bucket, then continues from the watermark`,
      async () => {
        const env = demoEnvironment({
          TIDEMARK__DATABASE__URL: schema.url,
          TIDEMARK__COMMON_IO__STATE_STORE_OBJECTSTORAGE_PATH: `s3://s3test@${s3.bucket}/flights-demo/`,
          ...s3.connectionEnv("s3test"),
        });
        const first = await runDemo(cwd, ["--days", String(DAYS), "--fail-once"], env);
        expectFirstRun(first);
        expect(first.stdout).toContain(`metastore  postgres://`);

        const ref = envelopeRef(await airportStatsRow(schema.url, cwd));
        const match = /^s3:\/\/s3test@([^/]+)\/(.+)$/.exec(ref);
        expect(match?.[1]).toBe(s3.bucket);
        expect(match?.[2]).toBe("flights-demo/assets/flights/airport_stats.gz");
        const client = new S3Client(s3.clientConfig);
        try {
          const object = await client.send(
            new GetObjectCommand({ Bucket: s3.bucket, Key: match?.[2] as string }),
          );
          expect(object.ContentEncoding).toBe("gzip");
          expectGzipStats(
            await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
          );
        } finally {
          client.destroy();
        }

        const second = await runDemo(cwd, ["--days", String(DAYS)], env);
        expectNothingNew(second);
      },
      RUN_TIMEOUT_MS,
    );
  },
);

const mysqlProblem = await checkTestMysql(async () => {
  const database = createDatabase(TEST_MYSQL_URL, { poolSize: 1, connectionTimeoutMs: 5000 });
  try {
    await database.db.selectNoFrom((eb) => eb.val(1).as("one")).execute();
  } finally {
    await database.close();
  }
}, redactDatabaseUrl(TEST_MYSQL_URL));
if (mysqlProblem !== null)
  console.warn(`[example e2e] skipping the MySQL + Azure Blob variant: ${mysqlProblem}`);

describe.skipIf(mysqlProblem !== null)(
  `flights demo on MySQL + Azure Blob (Azurite)${mysqlProblem === null ? "" : ` — skipped: ${mysqlProblem}`}`,
  () => {
    let cwd: string;
    let name: string;
    let azurite: AzuriteHandle;
    const admin = () => createDatabase(TEST_MYSQL_URL, { poolSize: 1 });

    beforeAll(async () => {
      cwd = mkdtempSync(join(tmpdir(), "tidemark-example-mysql-"));
      name = `tidemark_example_${randomBytes(6).toString("hex")}`;
      const database = admin();
      try {
        // A MySQL schema is a database; the demo migrates it.
        await database.db.schema.createSchema(name).execute();
      } finally {
        await database.close();
      }
      azurite = await startAzurite();
    });
    afterAll(async () => {
      await azurite?.stop();
      const database = admin();
      try {
        await database.db.schema.dropSchema(name).ifExists().execute();
      } finally {
        await database.close();
      }
      rmSync(cwd, { recursive: true, force: true });
    });

    it(
      `runs ${DAYS} days with --fail-once against a fresh database and a container, then continues from the watermark`,
      async () => {
        const url = testMysqlDatabaseUrl(name);
        const env = demoEnvironment({
          TIDEMARK__DATABASE__URL: url,
          TIDEMARK__COMMON_IO__STATE_STORE_OBJECTSTORAGE_PATH: `az://aztest@${azurite.container}/flights-demo/`,
          ...azurite.connectionEnv("aztest"),
        });
        const first = await runDemo(cwd, ["--days", String(DAYS), "--fail-once"], env);
        expectFirstRun(first);
        expect(first.stdout).toContain("metastore  mysql://");

        const ref = envelopeRef(await airportStatsRow(url, cwd));
        expect(ref).toBe(`az://aztest@${azurite.container}/flights-demo/assets/flights/airport_stats.gz`);
        const blob = BlobServiceClient.fromConnectionString(azurite.connectionString)
          .getContainerClient(azurite.container)
          .getBlobClient("flights-demo/assets/flights/airport_stats.gz");
        const properties = await blob.getProperties();
        expect(properties.contentEncoding).toBe("gzip");
        expectGzipStats(await blob.downloadToBuffer());

        const second = await runDemo(cwd, ["--days", String(DAYS)], env);
        expectNothingNew(second);
      },
      RUN_TIMEOUT_MS,
    );
  },
);
