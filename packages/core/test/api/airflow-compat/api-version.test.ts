/**
 * Airflow's Execution API versioning: the v2026_10_30 route test (a missing dag run on a task state PUT
 * is 404 from 2026-10-30 and a 500 before it) and the `Airflow-API-Version` header as Airflow's Cadwyn
 * setup handles it (missing → the newest, echoed; a later date → the newest version before it; a date
 * before the oldest version → no route; not a date → 422).
 */
import { StateStoreError, type StoreScope } from "@tidemark/state";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MetastoreBackend, type TaskInstanceRecord } from "../../../src/index.js";
import { type ApiHarness, startApiHarness } from "../support/api-harness.js";
import { detail } from "./compat-support.js";

/** A metastore backend whose every task state write finds no dag run, as Airflow's test mocks it. */
class MissingDagRunBackend extends MetastoreBackend {
  override async set(scope: StoreScope, key: string, value: string): Promise<void> {
    if (scope.kind === "task") throw new StateStoreError("DAG_RUN_NOT_FOUND", "DagRun not found");
    await super.set(scope, key, value);
  }
}

describe("a missing dag run on PUT, by Airflow-API-Version", () => {
  let h: ApiHarness;
  let ti: TaskInstanceRecord;
  let token: string;
  beforeAll(async () => {
    h = await startApiHarness({ backendFor: (database) => new MissingDagRunBackend({ database }) });
    ti = await h.taskInstance();
    token = await h.token(ti.id);
  });
  afterAll(() => h.close());

  const put = (version: string | undefined) =>
    h.call("PUT", `/store/ti/${ti.id}/job_id`, {
      token,
      body: { value: "spark_001" },
      headers: version === undefined ? {} : { "airflow-api-version": version },
    });

  it("answers 500 on the previous version 2026-06-30", async () => {
    const answer = await put("2026-06-30");
    expect(answer.status).toBe(500);
    expect(answer.headers.get("airflow-api-version")).toBe("2026-06-30");
  });

  for (const version of ["2026-10-30", "2026-11-13", undefined]) {
    it(`answers 404 naming the dag run on ${version ?? "the default version"}`, async () => {
      const answer = await put(version);
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual(
        detail(
          "not_found",
          `DagRun with dag_id=${ti.dagId} and run_id=${ti.runId} not found`,
          "DAG_RUN_NOT_FOUND",
        ),
      );
      expect(answer.headers.get("airflow-api-version")).toBe(version ?? "2026-11-13");
      expect(answer.headers.get("tidemark-error-code")).toBe("DAG_RUN_NOT_FOUND");
    });
  }
});

describe("the Airflow-API-Version header", () => {
  let h: ApiHarness;
  let ti: TaskInstanceRecord;
  let token: string;
  beforeAll(async () => {
    h = await startApiHarness();
    ti = await h.taskInstance();
    token = await h.token(ti.id);
    await h.call("PUT", `/store/ti/${ti.id}/k`, { token, body: { value: 1 } });
  });
  afterAll(() => h.close());
  const get = (version?: string, path = `/store/ti/${ti.id}/k`) =>
    h.call("GET", path, { token, headers: version === undefined ? {} : { "airflow-api-version": version } });

  it("defaults to the newest version and echoes it on answers and errors", async () => {
    const ok = await get();
    expect(ok.headers.get("airflow-api-version")).toBe("2026-11-13");
    const missing = await h.call("GET", `/store/ti/${ti.id}/nope`, { token });
    expect(missing.status).toBe(404);
    expect(missing.headers.get("airflow-api-version")).toBe("2026-11-13");
    const unauthorized = await h.call("GET", `/store/ti/${ti.id}/k`, { token: null });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get("airflow-api-version")).toBe("2026-11-13");
  });

  it("serves every dated version from 2026-06-30 and echoes the requested one", async () => {
    for (const version of ["2026-06-30", "2026-10-30", "2026-11-13", "2026-07-15", "2030-01-01"]) {
      const answer = await get(version);
      expect({ version, status: answer.status, body: answer.body }).toEqual({
        version,
        status: 200,
        body: { value: 1 },
      });
      expect(answer.headers.get("airflow-api-version")).toBe(version);
    }
  });

  it("has no state store routes before 2026-06-30 and no routes at all before the oldest version", async () => {
    const early = await get("2026-04-06");
    expect(early.status).toBe(404);
    expect(early.body?.detail?.code).toBe("ROUTE_NOT_FOUND");
    expect(early.body?.detail?.message).toMatch(/exists from version 2026-06-30/);
    expect((await get("2026-04-06", `/task-instances/${ti.id}`)).status).toBe(200);
    const ancient = await get("2020-01-01", `/task-instances/${ti.id}`);
    expect(ancient.status).toBe(404);
    expect(ancient.body?.detail?.code).toBe("ROUTE_NOT_FOUND");
  });

  it("answers 422 naming the header and the supported versions for a value that is not a date", async () => {
    for (const version of ["latest", "2026-13-01", "2026-02-30", "20261113"]) {
      const answer = await get(version);
      expect(answer.status).toBe(422);
      expect(answer.body).toEqual(
        detail(
          "invalid",
          `header Airflow-API-Version ${JSON.stringify(version)} is not a date (YYYY-MM-DD); send one of 2025-04-11, 2025-04-28, 2025-05-20, 2025-08-10, 2025-09-23, 2025-10-27, 2025-11-05, 2026-04-06, 2026-06-30, 2026-10-30, 2026-11-13, or omit it for the newest`,
          "INVALID_VALUE",
        ),
      );
    }
  });
});
