import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { requireBuilt } from "../support/built.js";
import { type CliRun, type CliWorkspace, cliWorkspace, jsonOf, ok } from "./support/cli-workspace.js";

vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });
beforeAll(() => requireBuilt());

type TaskInstance = {
  dag_id: string;
  run_id: string;
  task_id: string;
  map_index: number;
  state: string | null;
  try_number: number;
  state_key_count: number;
};

describe("tidemark list commands on an empty metastore", () => {
  let w: CliWorkspace;
  beforeAll(() => {
    w = cliWorkspace();
  });
  afterAll(() => w.dispose());

  it.each(["direct", "api"] as const)(
    "say so plainly in table mode and print empty JSON lists (%s)",
    async (mode) => {
      const run = mode === "direct" ? w.direct : w.api;
      const table = async (...args: string[]) => ok(await run([...args, "-o", "table"])).stdout;
      expect(await table("dags", "list")).toMatch(/^No dags in .+; a dag appears with its first dag run/);
      expect(await table("dag-runs", "list", "--dag-id", "flights_daily")).toBe(
        'No dag runs for dag "flights_daily"; tidemark dags list lists the dags.\n',
      );
      expect(await table("task-instances", "list", "--dag-id", "flights_daily")).toBe(
        'No task instances for dag "flights_daily".\n',
      );
      expect(jsonOf(ok(await run(["dags", "list"])))).toEqual({ dags: [], total_entries: 0 });
      expect(jsonOf(ok(await run(["dag-runs", "list", "--dag-id", "flights_daily"])))).toEqual({
        dag_runs: [],
        total_entries: 0,
      });
      expect(jsonOf(ok(await run(["task-instances", "list", "--dag-id", "flights_daily"])))).toEqual({
        task_instances: [],
        total_entries: 0,
      });
    },
  );

  it("assets list and state-store list say so too", async () => {
    expect(ok(await w.direct(["assets", "list", "-o", "table"])).stdout).toMatch(/^No assets; register one/);
    expect(jsonOf(ok(await w.direct(["assets", "list"])))).toEqual({ assets: [], total_entries: 0 });
    ok(await w.direct(["task-instances", "create", "--dag-id", "empty", "--run-id", "r", "--task-id", "t"]));
    const scope = ["--dag-id", "empty", "--run-id", "r", "--task-id", "t"];
    for (const run of [w.direct, w.api]) {
      expect(ok(await run(["state-store", "list", ...scope, "-o", "table"])).stdout).toBe(
        'No state keys in task instance dag_id="empty" run_id="r" task_id="t" map_index=-1.\n',
      );
      expect(ok(await run(["state-store", "list", ...scope, "--prefix", "wm", "-o", "table"])).stdout).toBe(
        'No state keys starting with "wm" in task instance dag_id="empty" run_id="r" task_id="t" map_index=-1.\n',
      );
      expect(jsonOf(ok(await run(["state-store", "list", ...scope])))).toEqual({
        task_state_store: [],
        total_entries: 0,
      });
    }
  });
});

describe.each(["direct", "api"] as const)("tidemark dags, dag-runs and task-instances list (%s)", (mode) => {
  let w: CliWorkspace;
  let run: (args: readonly string[]) => Promise<CliRun>;

  beforeAll(async () => {
    w = cliWorkspace();
    run = mode === "direct" ? w.direct : w.api;
    const create = (...args: string[]) => w.direct(["task-instances", "create", ...args]).then(ok);
    // Created in this order, so r2 is the newest run of etl.
    await create("--dag-id", "etl", "--run-id", "r1", "--task-id", "load");
    await create("--dag-id", "etl", "--run-id", "r1", "--task-id", "extract");
    await create("--dag-id", "etl", "--run-id", "r2", "--task-id", "map", "--map-index", "1");
    await create("--dag-id", "etl", "--run-id", "r2", "--task-id", "map", "--map-index", "0");
    await create("--dag-id", "report", "--run-id", "2026-01-01", "--task-id", "send");
    ok(
      await w.direct([
        "state-store",
        "set",
        "--dag-id",
        "etl",
        "--run-id",
        "r1",
        "--task-id",
        "extract",
        "k",
        "1",
      ]),
    );
    if (mode === "api") await w.server();
  });
  afterAll(() => w.dispose());

  it("dags list: dag id order with run counts, table and JSON, --limit/--offset, --search", async () => {
    expect(jsonOf(ok(await run(["dags", "list"])))).toEqual({
      dags: [
        { dag_id: "etl", dag_run_count: 2 },
        { dag_id: "report", dag_run_count: 1 },
      ],
      total_entries: 2,
    });
    expect(ok(await run(["dags", "list", "-o", "table"])).stdout).toMatch(
      /^DAG ID\s+DAG RUNS\netl\s+2\nreport\s+1\n\(dags 1-2 of 2\)\n$/,
    );
    expect(ok(await run(["dags", "list", "--offset", "1", "-o", "table"])).stdout).toMatch(
      /^DAG ID\s+DAG RUNS\nreport\s+1\n\(dags 2-2 of 2\)\n$/,
    );
    expect(ok(await run(["dags", "list", "--offset", "5", "-o", "table"])).stdout).toBe(
      "(no dags at offset 5 of 2)\n",
    );
    expect(jsonOf(ok(await run(["dags", "list", "--search", "REP"])))).toMatchObject({ total_entries: 1 });
  });

  it("dag-runs list: newest first, snake_case fields", async () => {
    const list = jsonOf<{ dag_runs: Record<string, unknown>[]; total_entries: number }>(
      ok(await run(["dag-runs", "list", "--dag-id", "etl"])),
    );
    expect(list.total_entries).toBe(2);
    expect(list.dag_runs.map((r) => r.run_id)).toEqual(["r2", "r1"]);
    expect(list.dag_runs[0]).toEqual({
      dag_id: "etl",
      run_id: "r2",
      created_at: expect.stringMatching(/Z$/),
    });
    expect(
      ok(await run(["dag-runs", "list", "--dag-id", "etl", "--limit", "1", "-o", "table"])).stdout,
    ).toMatch(/^DAG ID\s+RUN ID\s+CREATED AT\netl\s+r2\s+\S+Z\n\(dag runs 1-1 of 2\)\n$/);
  });

  it("task-instances list: one run by task id and map index, or every run newest first, paged", async () => {
    const one = jsonOf<{ task_instances: TaskInstance[]; total_entries: number }>(
      ok(await run(["task-instances", "list", "--dag-id", "etl", "--run-id", "r1"])),
    );
    expect(one.task_instances.map((t) => [t.task_id, t.state_key_count])).toEqual([
      ["extract", 1],
      ["load", 0],
    ]);
    expect(one.task_instances[0]).toMatchObject({
      dag_id: "etl",
      run_id: "r1",
      task_id: "extract",
      map_index: -1,
      state: "queued",
      try_number: 1,
    });
    const all = jsonOf<{ task_instances: TaskInstance[]; total_entries: number }>(
      ok(await run(["task-instances", "list", "--dag-id", "etl"])),
    );
    const order = [
      ["r2", "map", 0],
      ["r2", "map", 1],
      ["r1", "extract", -1],
      ["r1", "load", -1],
    ];
    expect(all.task_instances.map((t) => [t.run_id, t.task_id, t.map_index])).toEqual(order);
    expect(all.total_entries).toBe(4);
    // A page across the runs' boundary.
    const page = jsonOf<{ task_instances: TaskInstance[]; total_entries: number }>(
      ok(await run(["task-instances", "list", "--dag-id", "etl", "--offset", "1", "--limit", "2"])),
    );
    expect(page.task_instances.map((t) => [t.run_id, t.task_id, t.map_index])).toEqual(order.slice(1, 3));
    expect(page.total_entries).toBe(4);
    const table = ok(
      await run(["task-instances", "list", "--dag-id", "etl", "--run-id", "r1", "-o", "table"]),
    ).stdout;
    expect(table).toMatch(/^RUN ID\s+TASK ID\s+MAP INDEX\s+STATE\s+TRY\s+STATE KEYS\s+ID\n/);
    expect(table).toMatch(/\nr1\s+extract\s+-1\s+queued\s+1\s+1\s+[0-9a-f-]{36}\n/);
    expect(table).toMatch(/\(task instances 1-2 of 2\)\n$/);
  });

  it("task-instances list --run-id of a run that does not exist is not found (exit 3)", async () => {
    const missing = await run(["task-instances", "list", "--dag-id", "etl", "--run-id", "nope"]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain("[DAG_RUN_NOT_FOUND]");
    const bad = await run(["dags", "list", "--limit", "5000"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--limit must be an integer from 0 to 1000");
  });
});
