import { taskScope } from "@tidemark/state";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTaskInstance, MetastoreBackend } from "../../src/index.js";
import { closeTestDatabases, DATABASE_KINDS } from "../api/support/api-harness.js";
import {
  type DatabaseKind,
  type RestHarness,
  restErrorOf,
  startRestHarness,
  taskStatePath,
} from "./support/rest-harness.js";

afterAll(() => closeTestDatabases());

const REGION = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed";

describe.each<DatabaseKind>(DATABASE_KINDS)("Core REST API task state in a region (%s)", (database) => {
  let h: RestHarness;
  let sequence = 0;

  beforeAll(async () => {
    h = await startRestHarness({ database });
  });
  afterAll(() => h.close());

  async function regional() {
    sequence++;
    const runId = `run_${sequence}`;
    const key = { dagId: "rest_dag", runId, taskId: "extract" };
    await createTaskInstance(h.api.database, { ...key, mapIndex: 2 });
    await createTaskInstance(h.api.database, { ...key, regionId: REGION, mapIndex: 2 });
    return { key, path: (k?: string) => taskStatePath("rest_dag", runId, "extract", k) };
  }

  it("region_id with region_index addresses the region's state; map_index alone the all-zero region", async () => {
    const t = await regional();
    const inRegion = { region_id: REGION, region_index: 2 };
    expect((await h.rest("PUT", t.path("k"), { body: { value: "r" }, query: inRegion })).status).toBeLessThan(
      300,
    );
    expect(
      (await h.rest("PUT", t.path("k"), { body: { value: "z" }, query: { map_index: 2 } })).status,
    ).toBeLessThan(300);
    const backend = new MetastoreBackend({ database: h.api.database });
    expect(await backend.get(taskScope({ ...t.key, regionId: REGION, mapIndex: 2 }), "k")).toBe('"r"');
    expect(await backend.get(taskScope({ ...t.key, mapIndex: 2 }), "k")).toBe('"z"');
    // A map_index equal to region_index is accepted.
    const equal = await h.rest("PUT", t.path("k2"), {
      body: { value: 1 },
      query: { ...inRegion, map_index: 2 },
    });
    expect(equal.status).toBeLessThan(300);
    expect(await backend.get(taskScope({ ...t.key, regionId: REGION, mapIndex: 2 }), "k2")).toBe("1");
    expect((await h.rest("DELETE", t.path(), { query: inRegion })).status).toBeLessThan(300);
    expect(await backend.get(taskScope({ ...t.key, regionId: REGION, mapIndex: 2 }), "k")).toBeNull();
    expect(await backend.get(taskScope({ ...t.key, mapIndex: 2 }), "k")).toBe('"z"');
  });

  it("answers 400 naming both for region_id without region_index (and back), or a differing map_index", async () => {
    const t = await regional();
    for (const query of [{ region_id: REGION }, { region_index: 2 }]) {
      const answer = await h.rest("GET", t.path("k"), { query });
      const detail = restErrorOf(answer, 400, "INVALID_SCOPE");
      expect(detail).toContain("region_id and region_index must be given together");
    }
    const differing = await h.rest("GET", t.path("k"), {
      query: { region_id: REGION, region_index: 2, map_index: 1 },
    });
    expect(restErrorOf(differing, 400, "INVALID_SCOPE")).toContain("map_index=1 differs from region_index=2");
    const notUuid = await h.rest("GET", t.path("k"), { query: { region_id: "eu-west", region_index: 2 } });
    expect(notUuid.status).toBe(422);
  });
});
