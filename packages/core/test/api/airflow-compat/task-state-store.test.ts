/**
 * Airflow's Execution API task state store route tests (versions/head/test_task_state_store.py), ported
 * over real HTTP against a real api-server. Airflow's fixtures mock the token; here every request carries
 * a real task token for the task instance (or, for a missing one, a token whose subject exists nowhere).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TaskInstanceRecord } from "../../../src/index.js";
import {
  type ApiHarness,
  closeTestDatabases,
  DATABASE_KINDS,
  harnessDatabase,
  startApiHarness,
} from "../support/api-harness.js";
import { detail, expectAnswer, rowsOf, scopeOf, unknownTaskInstanceId } from "./compat-support.js";

afterAll(() => closeTestDatabases());

describe.each(DATABASE_KINDS)("Airflow task state store routes on %s", (kind) => {
  let h: ApiHarness;
  const url = (tiId: string, key?: string) =>
    key === undefined ? `/store/ti/${tiId}` : `/store/ti/${tiId}/${encodeURIComponent(key)}`;
  /** A fresh task instance and its token, as Airflow's `create_task_instance` fixture per test. */
  const fresh = async (mapIndex = -1): Promise<{ ti: TaskInstanceRecord; token: string }> => {
    const ti = await h.taskInstance({ mapIndex });
    return { ti, token: await h.token(ti.id) };
  };

  beforeAll(async () => {
    h = await startApiHarness({ database: await harnessDatabase(kind) });
  });
  afterAll(() => h.close());

  describe("GET", () => {
    it("returns the value", async () => {
      const { ti, token } = await fresh();
      await h.call("PUT", url(ti.id, "job_id"), { token, body: { value: "spark_001" } });
      expectAnswer(await h.call("GET", url(ti.id, "job_id"), { token }), 200, { value: "spark_001" });
    });

    it("answers 404 not_found for a missing key", async () => {
      const { ti, token } = await fresh();
      expectAnswer(
        await h.call("GET", url(ti.id, "never_set"), { token }),
        404,
        detail("not_found", "Task state store key 'never_set' not found", "NOT_FOUND"),
      );
    });

    it("answers 404 naming the task instance for a missing one", async () => {
      const id = unknownTaskInstanceId();
      expectAnswer(
        await h.call("GET", url(id, "any_key"), { token: await h.token(id) }),
        404,
        detail("not_found", `Task instance ${id} not found`, "TASK_INSTANCE_NOT_FOUND"),
      );
    });
  });

  describe("PUT", () => {
    it("creates the row, storing JSON text", async () => {
      const { ti, token } = await fresh();
      expectAnswer(await h.call("PUT", url(ti.id, "job_id"), { token, body: { value: "spark_001" } }), 204);
      expect((await rowsOf(h).getEntry(scopeOf(ti), "job_id"))?.value).toBe('"spark_001"');
    });

    for (const [what, key, value] of [
      ["an int", "retry_count", 3],
      ["a dict", "poll_result", { status: "succeeded", rows: 1234 }],
      ["a list", "checkpoints", [1, 2, 3]],
    ] as const) {
      it(`round-trips ${what}`, async () => {
        const { ti, token } = await fresh();
        expectAnswer(await h.call("PUT", url(ti.id, key), { token, body: { value } }), 204);
        expectAnswer(await h.call("GET", url(ti.id, key), { token }), 200, { value });
      });
    }

    it("stores expires_at as given", async () => {
      // Airflow's test travels to 2026-05-05 and expires on 2026-05-15; a real server keeps real time,
      // so the same ten days lie in the future here. Python's isoformat() of a UTC datetime ends +00:00.
      const { ti, token } = await fresh();
      const answer = await h.call("PUT", url(ti.id, "job_id"), {
        token,
        body: { value: "spark_001", expires_at: "2099-05-15T12:00:00+00:00" },
      });
      expectAnswer(answer, 204);
      const entry = await rowsOf(h).getEntry(scopeOf(ti), "job_id");
      expect(entry?.value).toBe('"spark_001"');
      expect(entry?.expiresAt?.toISOString()).toBe("2099-05-15T12:00:00.000Z");
    });

    it("never expires a key written without expires_at, as Airflow", async () => {
      const { ti, token } = await fresh();
      await h.call("PUT", url(ti.id, "job_id"), { token, body: { value: "spark_001" } });
      expect((await rowsOf(h).getEntry(scopeOf(ti), "job_id"))?.expiresAt).toBeNull();
    });

    it("overwrites an existing key", async () => {
      const { ti, token } = await fresh();
      await h.call("PUT", url(ti.id, "job_id"), { token, body: { value: "spark_001" } });
      expectAnswer(await h.call("PUT", url(ti.id, "job_id"), { token, body: { value: "spark_002" } }), 204);
      expectAnswer(await h.call("GET", url(ti.id, "job_id"), { token }), 200, { value: "spark_002" });
    });

    for (const [what, body, message] of [
      ["an empty body", {}, 'body is missing the field "value"'],
      ["an extra field", { value: "x", extra: "y" }, 'body has the unknown field "extra"'],
      ["a null value", { value: null }, "body.value is null; delete the key instead of storing null"],
    ] as const) {
      it(`answers 422 for ${what}`, async () => {
        const { ti, token } = await fresh();
        expectAnswer(
          await h.call("PUT", url(ti.id, "job_id"), { token, body }),
          422,
          detail("invalid", message, "INVALID_VALUE"),
        );
        expect(await rowsOf(h).getEntry(scopeOf(ti), "job_id")).toBeNull();
      });
    }

    // Python's client refuses to encode non-finite floats; a client that sends them raw gets 422.
    for (const literal of ["NaN", "Infinity", "-Infinity"]) {
      it(`answers 422 for a raw ${literal}`, async () => {
        const { ti, token } = await fresh();
        expectAnswer(
          await h.call("PUT", url(ti.id, "job_id"), { token, rawBody: `{"value": ${literal}}` }),
          422,
          detail("invalid", expect.stringMatching(/^request body is not valid JSON/), "INVALID_VALUE"),
        );
      });
    }

    it("answers 404 for a missing task instance", async () => {
      const id = unknownTaskInstanceId();
      expectAnswer(
        await h.call("PUT", url(id, "job_id"), { token: await h.token(id), body: { value: "x" } }),
        404,
        detail("not_found", `Task instance ${id} not found`, "TASK_INSTANCE_NOT_FOUND"),
      );
    });
  });

  describe("DELETE a key", () => {
    it("removes the key", async () => {
      const { ti, token } = await fresh();
      await h.call("PUT", url(ti.id, "job_id"), { token, body: { value: "spark_001" } });
      expectAnswer(await h.call("DELETE", url(ti.id, "job_id"), { token }), 204);
      expect((await h.call("GET", url(ti.id, "job_id"), { token })).status).toBe(404);
    });

    it("is a no-op for a missing key", async () => {
      const { ti, token } = await fresh();
      expectAnswer(await h.call("DELETE", url(ti.id, "never_existed"), { token }), 204);
    });

    it("targets one key only", async () => {
      const { ti, token } = await fresh();
      await h.call("PUT", url(ti.id, "job_id"), { token, body: { value: "a" } });
      await h.call("PUT", url(ti.id, "checkpoint"), { token, body: { value: "b" } });
      await h.call("DELETE", url(ti.id, "job_id"), { token });
      expect((await h.call("GET", url(ti.id, "job_id"), { token })).status).toBe(404);
      expectAnswer(await h.call("GET", url(ti.id, "checkpoint"), { token }), 200, { value: "b" });
    });
  });

  describe("DELETE the task instance's state (clear)", () => {
    it("removes every key", async () => {
      const { ti, token } = await fresh();
      for (const [k, v] of [
        ["job_id", "a"],
        ["checkpoint", "b"],
        ["retry_count", "c"],
      ]) {
        await h.call("PUT", url(ti.id, k), { token, body: { value: v } });
      }
      expectAnswer(await h.call("DELETE", url(ti.id), { token }), 204);
      expect((await rowsOf(h).list(scopeOf(ti))).entries).toEqual([]);
    });

    it("is a no-op when empty", async () => {
      const { ti, token } = await fresh();
      expectAnswer(await h.call("DELETE", url(ti.id), { token }), 204);
    });

    it("clears only the task instance's own map index", async () => {
      const { ti, token } = await fresh(2);
      const rows = rowsOf(h);
      for (const index of [0, 1, 2]) await rows.set(scopeOf(ti, index), "job_id", `"app_${index}"`);
      expectAnswer(await h.call("DELETE", url(ti.id), { token }), 204);
      const remaining = [];
      for (const index of [0, 1, 2]) if (await rows.get(scopeOf(ti, index), "job_id")) remaining.push(index);
      expect(remaining).toEqual([0, 1]);
    });

    it("answers 422 for all_map_indices, which Airflow removed from the Execution API, and clears nothing", async () => {
      // Airflow's older test wiped the fleet with ?all_map_indices=true; the parameter now lives on in the
      // Core REST API only, so the Execution API refuses it instead of silently clearing one map index.
      const { ti, token } = await fresh(2);
      const rows = rowsOf(h);
      for (const index of [0, 1, 2]) await rows.set(scopeOf(ti, index), "job_id", `"app_${index}"`);
      expectAnswer(
        await h.call("DELETE", `${url(ti.id)}?all_map_indices=true`, { token }),
        422,
        detail("invalid", 'querystring has the unknown field "all_map_indices"', "INVALID_VALUE"),
      );
      for (const index of [0, 1, 2])
        expect(await rows.get(scopeOf(ti, index), "job_id")).toBe(`"app_${index}"`);
    });
  });

  describe("a token of another task instance", () => {
    let ti: TaskInstanceRecord;
    let other: string;
    let wrong: string;
    beforeAll(async () => {
      ti = await h.taskInstance();
      other = unknownTaskInstanceId();
      wrong = await h.token(other);
    });
    const forbidden = () =>
      detail(
        "forbidden",
        `the token belongs to task instance ${other}, not ${ti.id}; a task instance may only use its own routes`,
        "FORBIDDEN",
      );

    it("answers 403 on GET", async () => {
      expectAnswer(await h.call("GET", url(ti.id, "some_key"), { token: wrong }), 403, forbidden());
    });
    it("answers 403 on PUT", async () => {
      expectAnswer(
        await h.call("PUT", url(ti.id, "some_key"), { token: wrong, body: { value: "x" } }),
        403,
        forbidden(),
      );
    });
    it("answers 403 on clear", async () => {
      expectAnswer(await h.call("DELETE", url(ti.id), { token: wrong }), 403, forbidden());
    });
  });
});
