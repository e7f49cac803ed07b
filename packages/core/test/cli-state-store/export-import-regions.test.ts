import { NO_REGION_ID, taskScope } from "@tidemark/state";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createDatabase } from "../../src/database/create-database.js";
import type { TidemarkDatabase } from "../../src/database/tidemark-database.js";
import { createTaskInstance, findTaskInstance } from "../../src/metadata/task-instances.js";
import { MetastoreBackend } from "../../src/metastore/metastore-backend.js";
import { metastoreImportHooks } from "../../src/state-admin/metastore-import-hooks.js";
import { RestStateClient } from "../../src/state-admin/rest-state-client.js";
import { StateAdmin } from "../../src/state-admin/state-admin.js";
import { exportState, importState, parseStateExport } from "../../src/state-admin/state-export.js";
import type { StateStoreAccess } from "../../src/state-admin/state-store-access.js";
import { closeTestDatabases, DATABASE_KINDS } from "../api/support/api-harness.js";
import {
  type DatabaseKind,
  type RestHarness,
  startRestHarness,
  TEST_TOKEN,
} from "../rest/support/rest-harness.js";
import { requireBuilt } from "../support/built.js";
import { type CliRun, type CliWorkspace, cliWorkspace, jsonOf, ok } from "./support/cli-workspace.js";

vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });
afterAll(() => closeTestDatabases());

const EAST = "4f8e6b1c-2a3d-4e5f-9a0b-1c2d3e4f5a6b";
const WEST = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e";
const DAG = { dagId: "etl", runId: "r1" } as const;

/** Task instances of the source: `load` in no region and in two regions (mapped in one), `extract` in none. */
const INSTANCES = [
  { taskId: "extract" },
  { taskId: "load" },
  { taskId: "load", regionId: WEST, mapIndex: 0 },
  { taskId: "load", regionId: EAST, mapIndex: 0 },
  { taskId: "load", regionId: EAST, mapIndex: 1 },
] as const;

function scopeOf(ti: (typeof INSTANCES)[number]) {
  return taskScope({ ...DAG, ...ti });
}

/** Writes different state to each task instance: `where` names the region, `n` is the same key everywhere. */
async function seed(database: TidemarkDatabase): Promise<void> {
  const backend = new MetastoreBackend({ database });
  for (const [i, ti] of INSTANCES.entries()) {
    await createTaskInstance(database, { ...DAG, ...ti });
    const scope = scopeOf(ti);
    await backend.set(scope, "where", JSON.stringify(`${scope.regionId}/${scope.mapIndex}`));
    await backend.set(scope, "n", JSON.stringify(i));
  }
}

function adminOf(database: TidemarkDatabase): StateAdmin {
  return new StateAdmin({
    database,
    backend: new MetastoreBackend({ database }),
    settings: { maxValueStorageBytes: 0, defaultRetentionDays: 0 },
  });
}

function clientOf(h: RestHarness): RestStateClient {
  return new RestStateClient({ apiUrl: h.origin, token: TEST_TOKEN });
}

async function exportText(access: StateStoreAccess): Promise<string> {
  let text = "";
  for await (const line of exportState(access)) text += `${JSON.stringify(line)}\n`;
  return text;
}

function records(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** What the seed's export holds: task, region, map index, key and value, in export order. */
const EXPECTED = [
  ["extract", undefined, -1, "n", 0],
  ["extract", undefined, -1, "where", `${NO_REGION_ID}/-1`],
  ["load", undefined, -1, "n", 1],
  ["load", undefined, -1, "where", `${NO_REGION_ID}/-1`],
  ["load", WEST, 0, "n", 2],
  ["load", WEST, 0, "where", `${WEST}/0`],
  ["load", EAST, 0, "n", 3],
  ["load", EAST, 0, "where", `${EAST}/0`],
  ["load", EAST, 1, "n", 4],
  ["load", EAST, 1, "where", `${EAST}/1`],
].sort((a, b) => {
  // Region ids sort as text, the all-zero one (no region) first.
  const region = (r: unknown) => (r as string | undefined) ?? NO_REGION_ID;
  return (
    (a[0] as string).localeCompare(b[0] as string) ||
    region(a[1]).localeCompare(region(b[1])) ||
    (a[2] as number) - (b[2] as number) ||
    (a[3] as string).localeCompare(b[3] as string)
  );
});

function summary(text: string) {
  return records(text).map((l) => [l.task_id, l.region_id, l.map_index, l.key, l.value]);
}

/** Reads each region's values back on a database. */
async function valuesIn(database: TidemarkDatabase): Promise<unknown[]> {
  const backend = new MetastoreBackend({ database });
  const values: unknown[] = [];
  for (const ti of INSTANCES) {
    const entry = await backend.get(scopeOf(ti), "where");
    values.push(entry === null ? null : JSON.parse(entry));
  }
  return values;
}

const EXPECTED_VALUES = INSTANCES.map((ti) => {
  const scope = scopeOf(ti);
  return `${scope.regionId}/${scope.mapIndex}`;
});

describe.each<DatabaseKind>(DATABASE_KINDS)(
  "export and import keep regions of one task instance apart (%s)",
  (kind) => {
    let source: RestHarness;
    let exported: string;

    beforeAll(async () => {
      source = await startRestHarness({ database: kind });
      await seed(source.api.database);
      exported = await exportText(adminOf(source.api.database));
    });
    afterAll(() => source.close());

    it("the task instance listing carries each task instance's region and its own key count", async () => {
      const list = await adminOf(source.api.database).listTaskInstances(DAG.dagId, DAG.runId);
      expect(
        list.task_instances.map((t) => [t.task_id, t.region_id, t.map_index, t.state_key_count]),
      ).toEqual(
        [
          ["extract", NO_REGION_ID, -1, 2],
          ["load", NO_REGION_ID, -1, 2],
          ["load", WEST, 0, 2],
          ["load", EAST, 0, 2],
          ["load", EAST, 1, 2],
        ].sort(
          (a, b) =>
            (a[0] as string).localeCompare(b[0] as string) ||
            (a[1] as string).localeCompare(b[1] as string) ||
            (a[2] as number) - (b[2] as number),
        ),
      );
      expect((await clientOf(source).listTaskInstances(DAG.dagId, DAG.runId)).task_instances).toEqual(
        list.task_instances,
      );
    });

    it("exports each region's state once, region_id only on lines in a region, in a stable order", async () => {
      expect(summary(exported)).toEqual(EXPECTED);
      for (const line of records(exported)) {
        expect(Object.hasOwn(line, "region_id")).toBe(line.region_id !== undefined);
      }
      // Through the REST client the text is the same.
      expect(await exportText(clientOf(source))).toBe(exported);
    });

    it("exports one task instance or every map index in the target's region", async () => {
      const one: string[] = [];
      for await (const line of exportState(adminOf(source.api.database), {
        kind: "task",
        target: { ...DAG, taskId: "load", regionId: EAST, mapIndex: 1 },
        allMapIndices: false,
      }))
        one.push(JSON.stringify(line.value));
      expect(one).toEqual(["4", `"${EAST}/1"`]);
      for (const access of [adminOf(source.api.database), clientOf(source)]) {
        const all: unknown[] = [];
        for await (const line of exportState(access, {
          kind: "task",
          target: { ...DAG, taskId: "load", regionId: EAST },
          allMapIndices: true,
        }))
          all.push(line.value);
        expect(all).toEqual([3, `${EAST}/0`, 4, `${EAST}/1`]);
      }
    });

    it("import into a fresh database creates each region's task instance and restores identical state (direct)", async () => {
      const target = await startRestHarness({ database: kind });
      try {
        const report = await importState(adminOf(target.api.database), parseStateExport(exported), {
          hooks: metastoreImportHooks(target.api.database),
        });
        expect(report).toMatchObject({ taskKeys: 10, createdTaskInstances: 5 });
        for (const ti of INSTANCES) {
          expect(await findTaskInstance(target.api.database, { ...DAG, ...ti })).not.toBeNull();
        }
        expect(await valuesIn(target.api.database)).toEqual(EXPECTED_VALUES);
        expect(await exportText(adminOf(target.api.database))).toBe(exported);
      } finally {
        await target.close();
      }
    });

    it("import through the REST client writes each line into its region (the task instances must exist)", async () => {
      const target = await startRestHarness({ database: kind });
      try {
        const client = clientOf(target);
        await expect(importState(client, parseStateExport(exported))).rejects.toMatchObject({
          code: "DAG_RUN_NOT_FOUND",
        });
        // Only the task instances in no region: a region's line must not land in no region.
        await createTaskInstance(target.api.database, { ...DAG, taskId: "extract" });
        await createTaskInstance(target.api.database, { ...DAG, taskId: "load" });
        await expect(importState(client, parseStateExport(exported))).rejects.toMatchObject({
          code: "TASK_INSTANCE_NOT_FOUND",
        });
        expect(await exportText(client)).toBe("");
        for (const ti of INSTANCES.filter((t) => "regionId" in t)) {
          await createTaskInstance(target.api.database, { ...DAG, ...ti });
        }
        expect(await importState(client, parseStateExport(exported))).toMatchObject({ taskKeys: 10 });
        expect(await valuesIn(target.api.database)).toEqual(EXPECTED_VALUES);
        expect(await exportText(client)).toBe(exported);
      } finally {
        await target.close();
      }
    });
  },
);

describe("parseStateExport region_id", () => {
  const line = { scope: "task", dag_id: "d", run_id: "r", task_id: "t", map_index: 0, key: "k", value: 1 };
  const parse = (record: Record<string, unknown>) =>
    parseStateExport(`${JSON.stringify({ ...line, expires_at: null })}\n${JSON.stringify(record)}\n`);

  it("accepts a UUID in any case (kept in lower case) and drops the all-zero one", () => {
    const [, upper] = parse({ ...line, expires_at: null, region_id: EAST.toUpperCase() });
    expect(upper).toMatchObject({ region_id: EAST });
    const [, zero] = parse({ ...line, expires_at: null, region_id: NO_REGION_ID });
    expect(zero).not.toHaveProperty("region_id");
  });

  it.each([["east"], [""], [null], [42], [`${EAST}0`]])(
    "refuses region_id %j as a line error naming the line and field",
    (regionId) => {
      let error: unknown;
      try {
        parse({ ...line, expires_at: null, region_id: regionId });
      } catch (caught) {
        error = caught;
      }
      expect(error).toMatchObject({
        code: "INVALID_SCOPE",
        details: { line: 2, field: "region_id" },
        message: expect.stringMatching(/^line 2: "region_id" must be a UUID such as 0{8}-/),
      });
    },
  );
});

describe("tidemark state-store export and import with regions (CLI)", () => {
  let source: CliWorkspace;
  let exported: string;

  function failed(run: CliRun, code: string): string {
    expect(run.code, run.stdout).not.toBe(0);
    expect(run.stderr).toContain(`[${code}]`);
    return run.stderr;
  }

  async function createRegionInstances(w: CliWorkspace, only?: "none" | "regions"): Promise<void> {
    for (const ti of INSTANCES) {
      const inRegion = "regionId" in ti;
      if ((only === "none" && inRegion) || (only === "regions" && !inRegion)) continue;
      ok(
        await w.direct([
          "task-instances",
          "create",
          "--dag-id",
          DAG.dagId,
          "--run-id",
          DAG.runId,
          "--task-id",
          ti.taskId,
          ...("mapIndex" in ti ? ["--map-index", String(ti.mapIndex)] : []),
          ...(inRegion ? ["--region-id", ti.regionId] : []),
        ]),
      );
    }
  }

  async function onDatabase<T>(w: CliWorkspace, work: (database: TidemarkDatabase) => Promise<T>) {
    const database = createDatabase(w.url);
    try {
      return await work(database);
    } finally {
      await database.close();
    }
  }

  beforeAll(async () => {
    requireBuilt();
    source = cliWorkspace();
    await createRegionInstances(source);
    await onDatabase(source, async (database) => {
      const backend = new MetastoreBackend({ database });
      for (const [i, ti] of INSTANCES.entries()) {
        const scope = scopeOf(ti);
        await backend.set(scope, "where", JSON.stringify(`${scope.regionId}/${scope.mapIndex}`));
        await backend.set(scope, "n", JSON.stringify(i));
      }
    });
    exported = ok(await source.direct(["state-store", "export"])).stdout;
  });
  afterAll(() => source.dispose());

  it("exports each region once, in order, and the same text through --api-url", async () => {
    expect(summary(exported)).toEqual(EXPECTED);
    expect(ok(await source.api(["state-store", "export"])).stdout).toBe(exported);
    // A task instance in no region exports as before regions: no region_id member.
    expect(records(exported)[0]).toEqual({
      scope: "task",
      dag_id: "etl",
      run_id: "r1",
      task_id: "extract",
      map_index: -1,
      key: "n",
      value: 0,
      expires_at: null,
    });
  });

  it("import into a fresh database creates the regions' task instances and gives identical text (direct)", async () => {
    const target = cliWorkspace();
    try {
      const report = jsonOf(ok(await target.direct(["state-store", "import"], exported)));
      expect(report).toMatchObject({ task_keys: 10, created_task_instances: 5 });
      expect(ok(await target.direct(["state-store", "export"])).stdout).toBe(exported);
      expect(await onDatabase(target, valuesIn)).toEqual(EXPECTED_VALUES);
    } finally {
      await target.dispose();
    }
  });

  it("import through --api-url writes each line into its region", async () => {
    const target = cliWorkspace();
    try {
      await createRegionInstances(target, "none");
      failed(await target.api(["state-store", "import"], exported), "TASK_INSTANCE_NOT_FOUND");
      expect(ok(await target.direct(["state-store", "export"])).stdout).toBe("");
      await createRegionInstances(target, "regions");
      expect(jsonOf(ok(await target.api(["state-store", "import"], exported)))).toMatchObject({
        task_keys: 10,
      });
      expect(ok(await target.api(["state-store", "export"])).stdout).toBe(exported);
      expect(await onDatabase(target, valuesIn)).toEqual(EXPECTED_VALUES);
    } finally {
      await target.dispose();
    }
  });

  it("refuses a line with a bad region_id, naming the line and field, and writes nothing", async () => {
    const target = cliWorkspace();
    try {
      const rows = exported.split("\n").filter((l) => l !== "");
      const bad = [rows[0], rows[1]?.replace(/"map_index"/, '"region_id":"east","map_index"')].join("\n");
      for (const run of [target.direct, target.api]) {
        expect(failed(await run(["state-store", "import"], bad), "INVALID_SCOPE")).toContain(
          'line 2: "region_id" must be a UUID',
        );
      }
      expect(ok(await target.direct(["state-store", "export"])).stdout).toBe("");
      const created = await onDatabase(target, (database) =>
        findTaskInstance(database, { ...DAG, taskId: "extract" }),
      );
      expect(created).toBeNull();
    } finally {
      await target.dispose();
    }
  });

  it("get, set and list reach a region with --region-id, direct and through --api-url", async () => {
    const east = [
      "--dag-id",
      "etl",
      "--run-id",
      "r1",
      "--task-id",
      "load",
      "--region-id",
      EAST,
      "--map-index",
      "1",
    ];
    for (const run of [source.direct, source.api]) {
      const got = jsonOf<{ key: string; value: unknown }>(
        ok(await run(["state-store", "get", ...east, "where"])),
      );
      expect(got).toMatchObject({ key: "where", value: `${EAST}/1` });
    }
    ok(await source.api(["state-store", "set", ...east, "note", '"east only"', "--retention", "never"]));
    expect(
      jsonOf<{ value: unknown }>(ok(await source.direct(["state-store", "get", ...east, "note"]))).value,
    ).toBe("east only");
    // The same task instance coordinates in no region do not see it.
    const none = ["--dag-id", "etl", "--run-id", "r1", "--task-id", "load"];
    failed(await source.direct(["state-store", "get", ...none, "note"]), "NOT_FOUND");
    ok(await source.direct(["state-store", "delete", ...east, "note"]));
    expect(
      failed(
        await source.direct(["state-store", "get", ...none, "--region-id", "east", "n"]),
        "INVALID_SCOPE",
      ),
    ).toContain("--region-id must be a UUID");
  });
});
