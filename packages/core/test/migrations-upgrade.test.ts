import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { assetScope, isStateStoreError, NO_REGION_ID, taskScope } from "@tidemark/state";
import { tempDir } from "@tidemark/testkit/temp-dir";
import { sql } from "kysely";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createDatabase } from "../src/database/create-database.js";
import type { TidemarkDatabase } from "../src/database/tidemark-database.js";
import { deleteDagRun } from "../src/metadata/dag-runs.js";
import { createTaskInstance, findTaskInstance, listTaskInstances } from "../src/metadata/task-instances.js";
import { MetastoreBackend } from "../src/metastore/metastore-backend.js";
import { getMigrationStatus, migrate, resetDatabase } from "../src/migrations/migrate.js";
import { MIGRATION_NAMES } from "../src/migrations/migration-list.js";
import { connectTestPostgres, type TestSchema } from "./support/postgres.js";

const postgres = await connectTestPostgres();
afterAll(() => postgres.close());

const FIXTURE = fileURLToPath(new URL("./fixtures/release-0.1.0.sqlite", import.meta.url));
const REGION = "5f0c2b1e-8a3d-4c6e-9b7a-2d1e0f3c4b5a";
const RUN = "manual__2030-01-01";
const CLOCK = new Date("2030-01-01T00:00:00.000Z");
const extract = taskScope({ dagId: "etl", runId: RUN, taskId: "extract" });
const ENVELOPE = `{"__airflow_state_ref__":"s3://bucket/state/etl/${RUN}/extract/-1/big"}`;

interface TaskInstanceSnapshot {
  id: string;
  task_id: string;
  map_index: number;
  state: string | null;
}

async function snapshot(database: TidemarkDatabase): Promise<TaskInstanceSnapshot[]> {
  const rows = await database.db
    .selectFrom("task_instance")
    .select(["id", "task_id", "map_index", "state"])
    .orderBy("task_id")
    .orderBy("map_index")
    .execute();
  return rows.map((r) => ({ ...r, map_index: Number(r.map_index) }));
}

/** Everything the 0.1.0 fixture holds, read back through the current code in the all-zero region. */
async function expectReleaseRows(database: TidemarkDatabase, before: TaskInstanceSnapshot[]): Promise<void> {
  expect(await snapshot(database)).toEqual(before);
  const backend = new MetastoreBackend({ database, now: () => CLOCK });
  const page = await listTaskInstances(database, { dagId: "etl" });
  expect(page.total).toBe(3);
  expect(page.taskInstances.map((t) => [t.taskId, t.mapIndex, t.regionId, t.state])).toEqual([
    ["extract", -1, NO_REGION_ID, "running"],
    ["load", 0, NO_REGION_ID, "queued"],
    ["load", 1, NO_REGION_ID, "queued"],
  ]);
  const ti = await findTaskInstance(database, { dagId: "etl", runId: RUN, taskId: "extract" });
  expect(ti?.outlets.map((a) => a.name)).toEqual(["flights"]);

  expect(await backend.getEntry(extract, "cursor")).toEqual({
    key: "cursor",
    value: '{"offset":43}',
    version: 2,
    updatedAt: CLOCK,
    expiresAt: null,
  });
  expect(await backend.getEntry(extract, "job_id")).toMatchObject({
    value: '"job-7"',
    version: 1,
    expiresAt: new Date("2031-06-01T12:00:00.000Z"),
  });
  expect(await backend.get(extract, "big")).toBe(ENVELOPE);
  const listed = await backend.list(extract, { prefix: "" });
  expect(listed.entries.map((e) => e.key)).toEqual(["big", "cursor", "job_id"]);
  for (const mapIndex of [0, 1]) {
    const load = taskScope({ dagId: "etl", runId: RUN, taskId: "load", mapIndex });
    expect(await backend.get(load, "rows")).toBe(String(100 + mapIndex));
  }
  const flights = assetScope({ name: "flights" });
  expect(await backend.getEntry(flights, "watermark")).toMatchObject({
    value: '"2030-01-01"',
    lastUpdatedBy: { kind: "task", dagId: "etl", runId: RUN, taskId: "extract", mapIndex: -1 },
  });
  expect((await backend.getEntry(flights, "note"))?.lastUpdatedBy).toEqual({ kind: "api" });
}

/** After the upgrade: a second region of the same task instance holds its own state. */
async function expectSecondRegion(database: TidemarkDatabase): Promise<void> {
  const backend = new MetastoreBackend({ database, now: () => CLOCK });
  const ti = await createTaskInstance(database, {
    dagId: "etl",
    runId: RUN,
    taskId: "extract",
    regionId: REGION,
    outlets: ["flights"],
  });
  expect(ti.regionId).toBe(REGION);
  const inRegion = taskScope({ dagId: "etl", runId: RUN, taskId: "extract", regionId: REGION });
  expect(await backend.get(inRegion, "cursor")).toBeNull();
  await backend.set(inRegion, "cursor", '{"offset":1}');
  expect(await backend.get(inRegion, "cursor")).toBe('{"offset":1}');
  expect(await backend.get(extract, "cursor")).toBe('{"offset":43}');
  await backend.clear(inRegion, { allMapIndices: true });
  expect(await backend.get(inRegion, "cursor")).toBeNull();
  expect((await backend.list(extract)).total).toBe(3);

  // The foreign keys survived the upgrade: deleting the run cascades to every table.
  await deleteDagRun(database, { dagId: "etl", runId: RUN });
  for (const table of ["task_instance", "task_instance_asset", "task_state_store"] as const) {
    const row = await database.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll().as("n"))
      .executeTakeFirst();
    expect(Number(row?.n), table).toBe(0);
  }
}

describe("upgrading a SQLite metastore written by the 0.1.0 release", () => {
  const dirs: Array<{ remove(): void }> = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) d.remove();
  });

  async function openCopy(): Promise<TidemarkDatabase> {
    const dir = tempDir();
    dirs.push(dir);
    const file = join(dir.path, "metastore.sqlite");
    copyFileSync(FIXTURE, file);
    return createDatabase(`sqlite:///${file}`);
  }

  it("keeps every row and value, then holds a second region apart", async () => {
    const database = await openCopy();
    try {
      expect(await getMigrationStatus(database)).toEqual({
        applied: ["0001_initial_schema"],
        pending: MIGRATION_NAMES.filter((n) => n !== "0001_initial_schema"),
      });
      const before = await snapshot(database);
      expect(before).toHaveLength(3);
      expect((await migrate(database)).applied).toEqual(["0002_task_region"]);
      expect((await migrate(database)).applied).toEqual([]);
      const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(database.db);
      expect(Number(fk.rows[0]?.foreign_keys)).toBe(1);
      await expectReleaseRows(database, before);
      await expectSecondRegion(database);
    } finally {
      await database.close();
    }
  });

  it("reverts to the 0.1.0 schema without loss while no regions collide, and refuses when they do", async () => {
    const database = await openCopy();
    try {
      const before = await snapshot(database);
      await migrate(database);
      expect((await migrate(database, { target: "0001_initial_schema" })).reverted).toEqual([
        "0002_task_region",
      ]);
      const columns = await sql<{
        name: string;
      }>`select name from pragma_table_info('task_state_store')`.execute(database.db);
      expect(columns.rows.map((r) => r.name)).not.toContain("region_id");
      await migrate(database);
      await expectReleaseRows(database, before);

      const backend = new MetastoreBackend({ database, now: () => CLOCK });
      await backend.set(
        taskScope({ dagId: "etl", runId: RUN, taskId: "extract", regionId: REGION }),
        "cursor",
        "1",
      );
      const error = await migrate(database, { target: "0001_initial_schema" }).catch((e: unknown) => e);
      expect(isStateStoreError(error, "CONFLICT")).toBe(true);
      expect((error as Error).message).toContain("task_state_store");
      expect((await getMigrationStatus(database)).pending).toEqual([]);
      expect(await backend.get(extract, "cursor")).toBe('{"offset":43}');

      // A reset discards everything anyway, so colliding regions do not stop it.
      await resetDatabase(database);
      expect((await getMigrationStatus(database)).pending).toEqual([]);
      expect((await listTaskInstances(database)).total).toBe(0);
    } finally {
      await database.close();
    }
  });

  it("names the migrations a target may be", async () => {
    const database = await openCopy();
    try {
      const error = await migrate(database, { target: "0009_nope" }).catch((e: unknown) => e);
      expect(isStateStoreError(error, "CONFIG_ERROR")).toBe(true);
      expect((error as Error).message).toContain("0001_initial_schema, 0002_task_region");
      expect((await getMigrationStatus(database)).applied).toEqual(["0001_initial_schema"]);
    } finally {
      await database.close();
    }
  });
});

describe(`upgrading a ${postgres.kind} metastore at the first migration`, () => {
  let schema: TestSchema | undefined;
  afterEach(async () => {
    await schema?.dispose();
    schema = undefined;
  });

  /** The rows of the 0.1.0 fixture, written with plain SQL as the 0.1.0 release's statements would. */
  async function fillLikeRelease(database: TidemarkDatabase): Promise<void> {
    const at = "2030-01-01T00:00:00.000Z";
    await sql`insert into dag_run (id, dag_id, run_id, created_at) values (1, 'etl', ${RUN}, ${at})`.execute(
      database.db,
    );
    await sql`insert into asset (id, name, uri, active, created_at, updated_at)
      values (1, 'flights', 's3://bucket/flights', true, ${at}, ${at})`.execute(database.db);
    const ids = [
      ["673078e2-6904-4a27-9f87-03f25b496c18", "extract", -1, "running"],
      ["605097f1-98a1-4ea3-9573-2f2c65a3e99c", "load", 0, "queued"],
      ["adeeaf43-a98a-47ed-8fd2-09c94371dee0", "load", 1, "queued"],
    ] as const;
    for (const [id, taskId, mapIndex, state] of ids) {
      await sql`insert into task_instance (id, dag_run_id, dag_id, run_id, task_id, map_index, state, try_number, created_at, updated_at)
        values (${id}, 1, 'etl', ${RUN}, ${taskId}, ${mapIndex}, ${state}, 1, ${at}, ${at})`.execute(
        database.db,
      );
    }
    await sql`insert into task_instance_asset (task_instance_id, asset_id, role)
      values (${ids[0][0]}, 1, 'outlet')`.execute(database.db);
    const state: Array<[string, number, string, string, number, string | null]> = [
      ["extract", -1, "cursor", '{"offset":43}', 2, null],
      ["extract", -1, "job_id", '"job-7"', 1, "2031-06-01T12:00:00.000Z"],
      ["extract", -1, "big", ENVELOPE, 1, null],
      ["load", 0, "rows", "100", 1, null],
      ["load", 1, "rows", "101", 1, null],
    ];
    for (const [taskId, mapIndex, key, value, version, expiresAt] of state) {
      await sql`insert into task_state_store (dag_run_id, dag_id, run_id, task_id, map_index, key, value, version, updated_at, expires_at)
        values (1, 'etl', ${RUN}, ${taskId}, ${mapIndex}, ${key}, ${value}, ${version}, ${at}, ${expiresAt})`.execute(
        database.db,
      );
    }
    await sql`insert into asset_state_store (asset_id, key, value, version, updated_at, last_updated_by_kind,
        last_updated_by_dag_id, last_updated_by_run_id, last_updated_by_task_id, last_updated_by_map_index)
      values (1, 'watermark', '"2030-01-01"', 1, ${at}, 'task', 'etl', ${RUN}, 'extract', -1),
             (1, 'note', '"by hand"', 1, ${at}, 'api', null, null, null, null)`.execute(database.db);
    // Identity columns were given explicit ids above; move them past those, as the release's inserts would.
    await sql`select setval(pg_get_serial_sequence('dag_run', 'id'), 1)`.execute(database.db);
    await sql`select setval(pg_get_serial_sequence('asset', 'id'), 1)`.execute(database.db);
  }

  it("keeps every row and value, then holds a second region apart", async () => {
    schema = await postgres.freshSchema({ migrate: false });
    const { database } = schema;
    expect((await migrate(database, { target: "0001_initial_schema" })).applied).toEqual([
      "0001_initial_schema",
    ]);
    await fillLikeRelease(database);
    const before = await snapshot(database);
    expect((await migrate(database)).applied).toEqual(["0002_task_region"]);
    expect((await migrate(database)).applied).toEqual([]);
    await expectReleaseRows(database, before);
    await expectSecondRegion(database);
  });

  it("reverts without loss while no regions collide, and refuses when they do", async () => {
    schema = await postgres.freshSchema({ migrate: false });
    const { database } = schema;
    await migrate(database, { target: "0001_initial_schema" });
    await fillLikeRelease(database);
    const before = await snapshot(database);
    await migrate(database);
    expect((await migrate(database, { target: "0001_initial_schema" })).reverted).toEqual([
      "0002_task_region",
    ]);
    await migrate(database);
    await expectReleaseRows(database, before);
    await createTaskInstance(database, { dagId: "etl", runId: RUN, taskId: "extract", regionId: REGION });
    const error = await migrate(database, { target: "0001_initial_schema" }).catch((e: unknown) => e);
    expect(isStateStoreError(error, "CONFLICT")).toBe(true);
    expect((error as Error).message).toContain("task_instance");
    expect((await getMigrationStatus(database)).pending).toEqual([]);
    await resetDatabase(database);
    expect((await listTaskInstances(database)).total).toBe(0);
  });
});
