import { NO_REGION_ID, taskScope } from "@tidemark/state";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deactivateAsset, registerAsset } from "../../src/metadata/assets.js";
import { setTaskInstanceState } from "../../src/metadata/task-instance-state.js";
import { createTaskInstance } from "../../src/metadata/task-instances.js";
import { closeTestDatabases, DATABASE_KINDS } from "../api/support/api-harness.js";
import {
  type DatabaseKind,
  itemsOf,
  type RestHarness,
  restErrorOf,
  startRestHarness,
  taskStatePath,
} from "./support/rest-harness.js";

afterAll(() => closeTestDatabases());

describe.each<DatabaseKind>(DATABASE_KINDS)("Core REST API browsing (%s)", (database) => {
  let h: RestHarness;

  beforeAll(async () => {
    h = await startRestHarness({ database });
    const db = h.api.database;
    for (const [dagId, runs] of [
      ["etl_daily", ["r1", "r2", "r3"]],
      ["ETL_hourly", ["h1"]],
      ["report", ["x1"]],
      ["per%cent_dag", ["p1"]],
    ] as const) {
      for (const runId of runs) await createTaskInstance(db, { dagId, runId, taskId: "extract" });
    }
    await createTaskInstance(db, { dagId: "etl_daily", runId: "r1", taskId: "load", mapIndex: 1 });
    await createTaskInstance(db, { dagId: "etl_daily", runId: "r1", taskId: "load", mapIndex: 0 });
    await createTaskInstance(db, { dagId: "etl_daily", runId: "r1", taskId: "aggregate" });
    await registerAsset(db, { name: "orders", uri: "s3://bucket/orders" });
    await registerAsset(db, { name: "customers", uri: "s3://bucket/customers" });
    await registerAsset(db, { name: "old_feed", uri: "file:///data/old" });
    await registerAsset(db, { name: "team/a_b", uri: "file:///data/a%b" });
    await deactivateAsset(db, "old_feed");
  });
  afterAll(() => h.close());

  it("GET /dags lists dag ids with run counts, searchable case-insensitively with literal % and _", async () => {
    const all = await h.rest("GET", "/dags");
    expect(all.body).toEqual({
      dags: [
        { dag_id: "ETL_hourly", dag_run_count: 1 },
        { dag_id: "etl_daily", dag_run_count: 3 },
        { dag_id: "per%cent_dag", dag_run_count: 1 },
        { dag_id: "report", dag_run_count: 1 },
      ],
      total_entries: 4,
    });
    const etl = await h.rest("GET", "/dags", { query: { search: "etl" } });
    expect(itemsOf<{ dag_id: string }>(etl, "dags").map((d) => d.dag_id)).toEqual([
      "ETL_hourly",
      "etl_daily",
    ]);
    expect((await h.rest("GET", "/dags", { query: { search: "%" } })).body?.total_entries).toBe(1);
    expect((await h.rest("GET", "/dags", { query: { search: "t_d" } })).body?.total_entries).toBe(1);
    expect((await h.rest("GET", "/dags", { query: { search: "nothing" } })).body).toEqual({
      dags: [],
      total_entries: 0,
    });
    const paged = await h.rest("GET", "/dags", { query: { limit: 2, offset: 1 } });
    expect(itemsOf<{ dag_id: string }>(paged, "dags").map((d) => d.dag_id)).toEqual([
      "etl_daily",
      "per%cent_dag",
    ]);
    expect(paged.body?.total_entries).toBe(4);
  });

  it("GET /dags/{dag_id}/dagRuns lists runs newest first; unknown dag is 404", async () => {
    const runs = await h.rest("GET", "/dags/etl_daily/dagRuns");
    expect(runs.status).toBe(200);
    expect(itemsOf<{ run_id: string }>(runs, "dag_runs").map((r) => r.run_id)).toEqual(["r3", "r2", "r1"]);
    expect(runs.body?.dag_runs).toContainEqual({
      dag_id: "etl_daily",
      run_id: "r1",
      created_at: expect.stringMatching(/Z$/),
    });
    expect(
      (await h.rest("GET", "/dags/etl_daily/dagRuns", { query: { search: "R2" } })).body?.total_entries,
    ).toBe(1);
    expect((await h.rest("GET", "/dags/per%25cent_dag/dagRuns")).body?.total_entries).toBe(1);
    restErrorOf(await h.rest("GET", "/dags/nope/dagRuns"), 404, "DAG_RUN_NOT_FOUND");
  });

  it("GET …/taskInstances lists task instances by task id and map index with live key counts; unknown run is 404", async () => {
    await h.rest("PUT", taskStatePath("etl_daily", "r1", "extract", "a"), { body: { value: 1 } });
    await h.rest("PUT", taskStatePath("etl_daily", "r1", "extract", "b"), { body: { value: 2 } });
    await h.rest("PUT", taskStatePath("etl_daily", "r1", "load", "a"), {
      body: { value: 1 },
      query: { map_index: 1 },
    });
    await h.api.server.backend.set(
      taskScope({ dagId: "etl_daily", runId: "r1", taskId: "load", mapIndex: 1 }),
      "old",
      "1",
      {
        expiresAt: new Date(Date.now() - 1000),
      },
    );
    const running = await h.rest("GET", "/dags/etl_daily/dagRuns/r1/taskInstances");
    const items = running.body?.task_instances as Record<string, unknown>[];
    expect(items.map((t) => [t.task_id, t.map_index, t.state_key_count])).toEqual([
      ["aggregate", -1, 0],
      ["extract", -1, 2],
      ["load", 0, 0],
      ["load", 1, 1],
    ]);
    expect(items[1]).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      dag_id: "etl_daily",
      run_id: "r1",
      task_id: "extract",
      region_id: NO_REGION_ID,
      map_index: -1,
      state: "queued",
      try_number: 1,
      state_key_count: 2,
    });
    await setTaskInstanceState(h.api.database, items[1]?.id as string, "running");
    const search = await h.rest("GET", "/dags/etl_daily/dagRuns/r1/taskInstances", {
      query: { search: "LOA", limit: 1 },
    });
    expect(search.body?.total_entries).toBe(2);
    expect(itemsOf<unknown>(search, "task_instances").length).toBe(1);
    const after = await h.rest("GET", "/dags/etl_daily/dagRuns/r1/taskInstances", {
      query: { search: "extract" },
    });
    expect(itemsOf<{ state: string }>(after, "task_instances")[0]?.state).toBe("running");
    restErrorOf(await h.rest("GET", "/dags/etl_daily/dagRuns/nope/taskInstances"), 404, "DAG_RUN_NOT_FOUND");
  });

  it("GET …/taskInstances carries each task instance's region and counts the keys of its own region", async () => {
    const east = "4f8e6b1c-2a3d-4e5f-9a0b-1c2d3e4f5a6b";
    const west = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e";
    const db = h.api.database;
    await createTaskInstance(db, {
      dagId: "report",
      runId: "x1",
      taskId: "extract",
      regionId: east,
      mapIndex: 0,
    });
    await createTaskInstance(db, {
      dagId: "report",
      runId: "x1",
      taskId: "extract",
      regionId: west,
      mapIndex: 0,
    });
    const path = taskStatePath("report", "x1", "extract", "k");
    await h.rest("PUT", path, { body: { value: 1 } });
    for (const key of ["k", "l"]) {
      await h.rest("PUT", taskStatePath("report", "x1", "extract", key), {
        body: { value: 2 },
        query: { region_id: east, region_index: 0 },
      });
    }
    const listed = await h.rest("GET", "/dags/report/dagRuns/x1/taskInstances");
    // By task id, region id (the all-zero one first), map index.
    expect(
      itemsOf<Record<string, unknown>>(listed, "task_instances").map((t) => [
        t.region_id,
        t.map_index,
        t.state_key_count,
      ]),
    ).toEqual([
      [NO_REGION_ID, -1, 1],
      [west, 0, 0],
      [east, 0, 2],
    ]);
  });

  it("GET /assets lists active and deactivated assets by name with key counts; search matches name or uri", async () => {
    const orders = await h.rest("GET", "/assets/by-name/orders");
    await h.rest("PUT", `/assets/${orders.body?.id}/state-store/k`, { body: { value: 1 } });
    const all = await h.rest("GET", "/assets");
    expect(all.body?.total_entries).toBe(4);
    expect(itemsOf<{ name: string }>(all, "assets").map((a) => a.name)).toEqual([
      "customers",
      "old_feed",
      "orders",
      "team/a_b",
    ]);
    expect(all.body?.assets).toContainEqual({
      id: orders.body?.id,
      name: "orders",
      uri: "s3://bucket/orders",
      active: true,
      created_at: expect.stringMatching(/Z$/),
      state_key_count: 1,
    });
    expect(all.body?.assets).toContainEqual(
      expect.objectContaining({ name: "old_feed", active: false, state_key_count: 0 }),
    );
    const s3 = await h.rest("GET", "/assets", { query: { search: "S3://" } });
    expect(itemsOf<{ name: string }>(s3, "assets").map((a) => a.name)).toEqual(["customers", "orders"]);
    expect((await h.rest("GET", "/assets", { query: { search: "a%b" } })).body?.total_entries).toBe(1);
    expect((await h.rest("GET", "/assets", { query: { search: "a_b" } })).body?.total_entries).toBe(1);
    expect((await h.rest("GET", "/assets", { query: { search: "_" } })).body?.total_entries).toBe(2);
    const page = await h.rest("GET", "/assets", { query: { limit: 1, offset: 3 } });
    expect(itemsOf<{ name: string }>(page, "assets").map((a) => a.name)).toEqual(["team/a_b"]);
  });

  it("GET /assets/by-name/{name} finds one asset (names may hold /); unknown is 404", async () => {
    const found = await h.rest("GET", `/assets/by-name/${encodeURIComponent("team/a_b")}`);
    expect(found.body).toMatchObject({
      name: "team/a_b",
      uri: "file:///data/a%b",
      active: true,
      state_key_count: 0,
    });
    expect((await h.rest("GET", "/assets/by-name/old_feed")).body).toMatchObject({ active: false });
    restErrorOf(await h.rest("GET", "/assets/by-name/nope"), 404, "ASSET_NOT_FOUND");
  });

  it("GET /config/ui needs no token and tells the UI how to behave", async () => {
    const answer = await h.rest("GET", "/config/ui", { token: null });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      auth: "token",
      auth_tokens_configured: true,
      default_retention_days: 30,
      max_value_storage_bytes: 65_535,
    });
  });

  it("browsing limits are checked (0 to 1000)", async () => {
    restErrorOf(await h.rest("GET", "/dags", { query: { limit: 1001 } }), 422, "INVALID_VALUE");
    restErrorOf(await h.rest("GET", "/assets", { query: { offset: -1 } }), 422, "INVALID_VALUE");
    expect((await h.rest("GET", "/assets", { query: { limit: 0 } })).body).toEqual({
      assets: [],
      total_entries: 4,
    });
    restErrorOf(await h.rest("GET", "/dags", { query: { colour: "red" } }), 422, "INVALID_VALUE");
  });
});
