/**
 * Airflow's Core API task state store route tests (test_task_state_store.py), ported case by case and run
 * over real HTTP against a real api-server on SQLite and Postgres. Bodies are compared exactly: a client
 * written for Airflow must see nothing it does not know.
 */
import { taskScope } from "@tidemark/state";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { closeTestDatabases, DATABASE_KINDS } from "../../api/support/api-harness.js";
import {
  type DatabaseKind,
  itemsOf,
  type RestHarness,
  restErrorOf,
  startRestHarness,
  taskStatePath,
} from "../support/rest-harness.js";

afterAll(() => closeTestDatabases());

const DAG_ID = "test_dag";
const TASK_ID = "test_task";
const DAY_MS = 86_400_000;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

describe.each<DatabaseKind>(DATABASE_KINDS)("Airflow Core API task state store (%s)", (database) => {
  let h: RestHarness;
  let sequence = 0;
  let runId = "";

  beforeAll(async () => {
    h = await startRestHarness({ database, config: { state_store: { default_retention_days: 7 } } });
  });
  afterAll(() => h.close());

  /** A fresh dag run with the task at map index -1 (and 0, 1 for the mapped cases). */
  beforeEach(async () => {
    sequence++;
    runId = `manual__2026-01-01T00:00:00+00:00_${sequence}`;
    for (const mapIndex of [-1, 0, 1]) {
      await h.api.taskInstance({ dagId: DAG_ID, runId, taskId: TASK_ID, mapIndex });
    }
  });

  const url = (key?: string) => taskStatePath(DAG_ID, runId, TASK_ID, key);
  /** Writes a row as a worker does: the JSON text straight into the server backend. */
  const seed = (key: string, value: unknown, mapIndex = -1) =>
    h.api.server.backend.set(
      taskScope({ dagId: DAG_ID, runId, taskId: TASK_ID, mapIndex }),
      key,
      JSON.stringify(value),
    );
  const stored = async (key: string) =>
    (await h.api.server.backend.getEntry(taskScope({ dagId: DAG_ID, runId, taskId: TASK_ID }), key))?.value;

  describe("list", () => {
    it("returns an empty list when there is no state", async () => {
      const r = await h.rest("GET", url());
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ task_state_store: [], total_entries: 0 });
    });

    it("returns all keys, each exactly {key, value, updated_at, expires_at}", async () => {
      await seed("job_id", "spark_001");
      await seed("checkpoint", "step_3");
      const r = await h.rest("GET", url());
      expect(r.status).toBe(200);
      expect(r.body).toEqual({
        task_state_store: [
          { key: "checkpoint", value: "step_3", updated_at: expect.stringMatching(ISO), expires_at: null },
          { key: "job_id", value: "spark_001", updated_at: expect.stringMatching(ISO), expires_at: null },
        ],
        total_entries: 2,
      });
    });

    it("map_index -1 (the default) does not return rows of other map indices", async () => {
      await seed("job_id", "mapped_app", 0);
      expect((await h.rest("GET", url())).body).toEqual({ task_state_store: [], total_entries: 0 });
    });

    it("paginates with limit and offset", async () => {
      for (const k of ["a", "b", "c"]) await seed(k, "v");
      const two = await h.rest("GET", url(), { query: { limit: 2 } });
      expect(two.body?.total_entries).toBe(3);
      expect(itemsOf(two, "task_state_store").length).toBe(2);
      const last = await h.rest("GET", url(), { query: { limit: 2, offset: 2 } });
      expect(last.body?.total_entries).toBe(3);
      expect(itemsOf<{ key: string }>(last, "task_state_store").map((e) => e.key)).toEqual(["c"]);
    });

    it("is 401 without a token", async () => {
      restErrorOf(await h.rest("GET", url(), { token: null }), 401, "UNAUTHORIZED");
    });
  });

  describe("get", () => {
    it("returns the value", async () => {
      await seed("job_id", "spark_001");
      const r = await h.rest("GET", url("job_id"));
      expect(r.status).toBe(200);
      expect(r.body).toEqual({
        key: "job_id",
        value: "spark_001",
        updated_at: expect.stringMatching(ISO),
        expires_at: null,
      });
    });

    it("is 404 for a missing key, with Airflow's detail", async () => {
      const r = await h.rest("GET", url("nonexistent"));
      expect(restErrorOf(r, 404, "NOT_FOUND")).toBe("Task state store key 'nonexistent' not found");
    });

    it("supports keys with a slash, literal or percent-encoded", async () => {
      await seed("workflow/step_1", "v");
      const literal = await h.rest("GET", `${url()}/workflow/step_1`);
      expect(literal.status).toBe(200);
      expect(literal.body?.key).toBe("workflow/step_1");
      expect((await h.rest("GET", url("workflow/step_1"))).body?.key).toBe("workflow/step_1");
    });

    it("is 401 without a token", async () => {
      restErrorOf(await h.rest("GET", url("job_id"), { token: null }), 401, "UNAUTHORIZED");
    });
  });

  describe("set (PUT)", () => {
    it("creates a new key: 204 and no body", async () => {
      const r = await h.rest("PUT", url("job_id"), { body: { value: "spark_001" } });
      expect(r.status).toBe(204);
      expect(r.text).toBe("");
      expect((await h.rest("GET", url("job_id"))).body?.value).toBe("spark_001");
    });

    it("overwrites an existing key", async () => {
      await h.rest("PUT", url("job_id"), { body: { value: "v1" } });
      await h.rest("PUT", url("job_id"), { body: { value: "v2" } });
      expect((await h.rest("GET", url("job_id"))).body?.value).toBe("v2");
    });

    it("is 422 for an empty body, a null value and an oversized value", async () => {
      restErrorOf(await h.rest("PUT", url("job_id"), { body: {} }), 422, "INVALID_VALUE");
      restErrorOf(await h.rest("PUT", url("job_id"), { body: { value: null } }), 422, "INVALID_VALUE");
      for (const size of [65536, 70000]) {
        const big = await h.rest("PUT", url("job_id"), { body: { value: "x".repeat(size) } });
        const message = restErrorOf(big, 422, "VALUE_TOO_LARGE");
        expect(message).toContain("65535");
        expect(message).toContain("state_store.max_value_storage_bytes");
      }
      expect((await h.rest("GET", url("job_id"))).status).toBe(404);
    });

    it("refuses non-finite numbers (NaN, Infinity) with 422", async () => {
      for (const raw of [
        '{"value": NaN}',
        '{"value": Infinity}',
        '{"value": {"a": NaN}}',
        '{"value": [Infinity]}',
      ]) {
        restErrorOf(await h.rest("PUT", url("job_id"), { rawBody: raw }), 422, "INVALID_VALUE");
      }
    });

    it("is 404 for a dag run or task id that does not exist, with Airflow's detail", async () => {
      const noRun = await h.rest("PUT", taskStatePath(DAG_ID, "nonexistent_run", TASK_ID, "job_id"), {
        body: { value: "v" },
      });
      expect(restErrorOf(noRun, 404, "DAG_RUN_NOT_FOUND")).toBe(
        "Task instance not found for dag_id='test_dag', run_id='nonexistent_run', task_id='test_task', map_index=-1",
      );
      const noTask = await h.rest("PUT", taskStatePath(DAG_ID, runId, "nonexistent_task", "job_id"), {
        body: { value: "v" },
      });
      expect(restErrorOf(noTask, 404, "TASK_INSTANCE_NOT_FOUND")).toBe(
        `Task instance not found for dag_id='test_dag', run_id='${runId}', task_id='nonexistent_task', map_index=-1`,
      );
    });

    it.each([42, "hello", { k: 1 }, [1, 2]])("stores %j JSON-encoded", async (value) => {
      await h.rest("PUT", url("k"), { body: { value } });
      expect(JSON.parse((await stored("k")) as string)).toEqual(value);
    });

    it.each([42, true, { rows: 100 }, [1, "two"], "hello"])(
      "a Core API write of %j reads back the same value",
      async (value) => {
        await h.rest("PUT", url("k"), { body: { value } });
        expect((await h.rest("GET", url("k"))).body?.value).toEqual(value);
      },
    );

    it.each([42, true, { rows: 100 }, [1, "two"], "hello"])(
      "a worker write of %j reads back the same value",
      async (value) => {
        await seed("k", value);
        expect((await h.rest("GET", url("k"))).body?.value).toEqual(value);
      },
    );

    it("supports keys with a slash", async () => {
      expect((await h.rest("PUT", `${url()}/workflow/step_1`, { body: { value: "v" } })).status).toBe(204);
      expect((await h.rest("GET", `${url()}/workflow/step_1`)).body?.key).toBe("workflow/step_1");
    });

    it('expires_at "default" applies state_store.default_retention_days', async () => {
      const before = Date.now();
      await h.rest("PUT", url("job_id"), { body: { value: "v", expires_at: "default" } });
      const expires = Date.parse((await h.rest("GET", url("job_id"))).body?.expires_at as string);
      expect(expires).toBeGreaterThanOrEqual(before + 7 * DAY_MS);
      expect(expires).toBeLessThanOrEqual(Date.now() + 7 * DAY_MS);
    });

    it('expires_at "default" with default_retention_days = 0 never expires', async () => {
      const zero = await startRestHarness({
        database,
        config: { state_store: { default_retention_days: 0 } },
      });
      try {
        await zero.api.taskInstance({ dagId: DAG_ID, runId: "r", taskId: TASK_ID });
        const path = taskStatePath(DAG_ID, "r", TASK_ID, "job_id");
        await zero.rest("PUT", path, { body: { value: "v", expires_at: "default" } });
        expect((await zero.rest("GET", path)).body?.expires_at).toBeNull();
      } finally {
        await zero.close();
      }
    });

    it("a negative default_retention_days cannot be configured (Airflow answers such a PUT 400)", async () => {
      await expect(
        startRestHarness({ database, config: { state_store: { default_retention_days: -1 } } }),
      ).rejects.toThrow(/default_retention_days/);
    });

    it("expires_at null never expires; an explicit instant is used as is", async () => {
      await h.rest("PUT", url("job_id"), { body: { value: "v", expires_at: null } });
      expect((await h.rest("GET", url("job_id"))).body?.expires_at).toBeNull();
      await h.rest("PUT", url("job_id"), { body: { value: "v", expires_at: "2099-01-31T00:00:00Z" } });
      const expires = (await h.rest("GET", url("job_id"))).body?.expires_at as string;
      expect(Date.parse(expires)).toBe(Date.parse("2099-01-31T00:00:00Z"));
    });

    it("PUT on an existing key replaces expires_at with what the body says", async () => {
      await h.rest("PUT", url("job_id"), { body: { value: "v1", expires_at: "2099-01-31T00:00:00Z" } });
      await h.rest("PUT", url("job_id"), { body: { value: "v2", expires_at: null } });
      const r = await h.rest("GET", url("job_id"));
      expect(r.body?.value).toBe("v2");
      expect(r.body?.expires_at).toBeNull();
    });

    it("accepts an oversized value when the limit is disabled (max_value_storage_bytes = 0)", async () => {
      const open = await startRestHarness({
        database,
        config: { state_store: { max_value_storage_bytes: 0 } },
      });
      try {
        await open.api.taskInstance({ dagId: DAG_ID, runId: "r", taskId: TASK_ID });
        const path = taskStatePath(DAG_ID, "r", TASK_ID, "job_id");
        expect((await open.rest("PUT", path, { body: { value: "x".repeat(70000) } })).status).toBe(204);
        await open.api.server.backend.set(
          taskScope({ dagId: DAG_ID, runId: "r", taskId: TASK_ID }),
          "p",
          '"v"',
        );
        expect(
          (
            await open.rest("PATCH", taskStatePath(DAG_ID, "r", TASK_ID, "p"), {
              body: { value: "x".repeat(70000) },
            })
          ).status,
        ).toBe(200);
      } finally {
        await open.close();
      }
    });

    it("is 401 without a token", async () => {
      restErrorOf(
        await h.rest("PUT", url("job_id"), { token: null, body: { value: "v" } }),
        401,
        "UNAUTHORIZED",
      );
    });
  });

  describe("patch", () => {
    it("updates the value: 200 with the body null", async () => {
      await seed("job_id", "v1");
      const r = await h.rest("PATCH", url("job_id"), { body: { value: "v2" } });
      expect(r.status).toBe(200);
      expect(r.text).toBe("null");
      expect(JSON.parse((await stored("job_id")) as string)).toBe("v2");
    });

    it("is 404 for a missing key", async () => {
      const r = await h.rest("PATCH", url("nonexistent"), { body: { value: "v" } });
      expect(restErrorOf(r, 404, "NOT_FOUND")).toBe("Task state store key 'nonexistent' not found");
    });

    it("is 422 for an empty body, a null value, an oversized value and non-finite numbers", async () => {
      await seed("job_id", "v");
      restErrorOf(await h.rest("PATCH", url("job_id"), { body: {} }), 422, "INVALID_VALUE");
      restErrorOf(await h.rest("PATCH", url("job_id"), { body: { value: null } }), 422, "INVALID_VALUE");
      restErrorOf(
        await h.rest("PATCH", url("job_id"), { body: { value: "x".repeat(70000) } }),
        422,
        "VALUE_TOO_LARGE",
      );
      for (const raw of ['{"value": NaN}', '{"value": [Infinity]}']) {
        restErrorOf(await h.rest("PATCH", url("job_id"), { rawBody: raw }), 422, "INVALID_VALUE");
      }
      expect(JSON.parse((await stored("job_id")) as string)).toBe("v");
    });

    it.each([42, "hello", { k: 1 }, [1, 2]])("stores %j JSON-encoded", async (value) => {
      await seed("job_id", "initial");
      await h.rest("PATCH", url("job_id"), { body: { value } });
      expect(JSON.parse((await stored("job_id")) as string)).toEqual(value);
    });

    it("is 401 without a token", async () => {
      restErrorOf(
        await h.rest("PATCH", url("job_id"), { token: null, body: { value: "v" } }),
        401,
        "UNAUTHORIZED",
      );
    });
  });

  describe("delete", () => {
    it("deletes a key; a missing key is a no-op 204", async () => {
      await seed("job_id", "spark_001");
      expect((await h.rest("DELETE", url("job_id"))).status).toBe(204);
      expect((await h.rest("GET", url("job_id"))).status).toBe(404);
      expect((await h.rest("DELETE", url("nonexistent"))).status).toBe(204);
    });

    it("only deletes the target key", async () => {
      await seed("job_id", "a");
      await seed("checkpoint", "b");
      await h.rest("DELETE", url("job_id"));
      expect((await h.rest("GET", url("job_id"))).status).toBe(404);
      expect((await h.rest("GET", url("checkpoint"))).body?.value).toBe("b");
    });

    it("supports keys with a slash", async () => {
      await seed("workflow/step_1", "v");
      expect((await h.rest("DELETE", `${url()}/workflow/step_1`)).status).toBe(204);
      expect((await h.rest("GET", `${url()}/workflow/step_1`)).status).toBe(404);
    });

    it("is 401 without a token", async () => {
      restErrorOf(await h.rest("DELETE", url("job_id"), { token: null }), 401, "UNAUTHORIZED");
    });
  });

  describe("clear", () => {
    it("clears all keys, slash keys included", async () => {
      for (const [k, v] of [
        ["job_id", "a"],
        ["checkpoint", "b"],
        ["workflow/step_1", "c"],
      ])
        await seed(k as string, v);
      expect((await h.rest("DELETE", url())).status).toBe(204);
      expect((await h.rest("GET", url())).body?.total_entries).toBe(0);
    });

    it("all_map_indices=true clears every map index; the default clears map index -1 only", async () => {
      for (const mapIndex of [-1, 0, 1]) await seed("job_id", `app_${mapIndex}`, mapIndex);
      expect((await h.rest("DELETE", url())).status).toBe(204);
      for (const mapIndex of [0, 1]) {
        expect((await h.rest("GET", url(), { query: { map_index: mapIndex } })).body?.total_entries).toBe(1);
      }
      expect((await h.rest("DELETE", url(), { query: { all_map_indices: true } })).status).toBe(204);
      for (const mapIndex of [0, 1]) {
        expect((await h.rest("GET", url(), { query: { map_index: mapIndex } })).body?.total_entries).toBe(0);
      }
    });

    it("is 404 for a task that has no instance, naming all_map_indices=True", async () => {
      const r = await h.rest("DELETE", taskStatePath(DAG_ID, runId, "nope"), {
        query: { all_map_indices: true },
      });
      expect(restErrorOf(r, 404, "TASK_INSTANCE_NOT_FOUND")).toBe(
        `Task instance not found for dag_id='test_dag', run_id='${runId}', task_id='nope', all_map_indices=True`,
      );
    });

    it("is 401 without a token", async () => {
      restErrorOf(await h.rest("DELETE", url(), { token: null }), 401, "UNAUTHORIZED");
    });
  });
});
