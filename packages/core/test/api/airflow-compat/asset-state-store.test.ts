/**
 * Airflow's Execution API asset state store route tests (versions/head/test_asset_state_store.py),
 * ported over real HTTP against a real api-server. Requests carry a real task token; the task instance
 * declares the assets it touches (Tidemark's declared-assets extension), and unknown assets are looked up
 * before that check, so their answers are Airflow's.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deactivateAsset } from "../../../src/metadata/assets.js";
import type { TaskInstanceRecord } from "../../../src/metadata/task-instance-record.js";
import {
  type ApiHarness,
  closeTestDatabases,
  DATABASE_KINDS,
  harnessDatabase,
  startApiHarness,
} from "../support/api-harness.js";
import { assetByName, detail, expectAnswer, rowsOf } from "./compat-support.js";

const BY_NAME_VALUE = "/store/asset/by-name/value";
const BY_NAME_CLEAR = "/store/asset/by-name/clear";
const BY_URI_VALUE = "/store/asset/by-uri/value";
const BY_URI_CLEAR = "/store/asset/by-uri/clear";

function query(path: string, params: Record<string, string>): string {
  return `${path}?${new URLSearchParams(params).toString()}`;
}

afterAll(() => closeTestDatabases());

describe.each(DATABASE_KINDS)("Airflow asset state store routes on %s", (kind) => {
  let h: ApiHarness;
  let ti: TaskInstanceRecord;
  let token: string;
  let n = 0;
  /** A fresh active asset, as Airflow's `asset` fixture per test. */
  const freshAsset = async (name = `test_asset_${++n}`, uri = `s3://bucket/test_${n}`) => {
    await h.asset(name, uri);
    return { name, uri };
  };
  /** Inserts a row directly, as Airflow's `_create_asset_store_row`. */
  const seed = (name: string, key: string, value: string) =>
    rowsOf(h).set(assetByName(name), key, JSON.stringify(value));

  beforeAll(async () => {
    h = await startApiHarness({ database: await harnessDatabase(kind) });
    for (let i = 1; i <= 40; i++) await h.asset(`test_asset_${i}`, `s3://bucket/test_${i}`);
    await h.asset("team/sales/orders", "s3://bucket/team/sales");
    await h.asset("inactive_asset", "s3://bucket/inactive");
    const names = [...Array.from({ length: 40 }, (_, i) => `test_asset_${i + 1}`), "team/sales/orders"];
    ti = await h.taskInstance({ inlets: [...names, "inactive_asset"], outlets: names });
    token = await h.token(ti.id);
    await deactivateAsset(h.database, "inactive_asset");
  });
  afterAll(() => h.close());

  for (const [by, valuePath, clearPath] of [
    ["name", BY_NAME_VALUE, BY_NAME_CLEAR],
    ["uri", BY_URI_VALUE, BY_URI_CLEAR],
  ] as const) {
    const address = (a: { name: string; uri: string }): Record<string, string> =>
      by === "name" ? { name: a.name } : { uri: a.uri };

    describe(`GET by ${by}`, () => {
      it("returns the value", async () => {
        const a = await freshAsset();
        await seed(a.name, "watermark", "2026-04-29");
        expectAnswer(
          await h.call("GET", query(valuePath, { ...address(a), key: "watermark" }), { token }),
          200,
          { value: "2026-04-29" },
        );
      });

      it("answers 404 not_found for a missing key", async () => {
        const a = await freshAsset();
        expectAnswer(
          await h.call("GET", query(valuePath, { ...address(a), key: "never_set" }), { token }),
          404,
          detail("not_found", "Asset state store key 'never_set' not found", "NOT_FOUND"),
        );
      });

      it(`answers 404 for an unknown ${by}`, async () => {
        const missing: Record<string, string> =
          by === "name" ? { name: "nonexistent" } : { uri: "s3://nonexistent/path" };
        const shown = by === "name" ? "name='nonexistent'" : "uri='s3://nonexistent/path'";
        expectAnswer(
          await h.call("GET", query(valuePath, { ...missing, key: "wm" }), { token }),
          404,
          detail("not_found", `Asset with ${shown} not found`, "ASSET_NOT_FOUND"),
        );
      });

      it("answers 404 for an inactive asset", async () => {
        const inactive: Record<string, string> =
          by === "name" ? { name: "inactive_asset" } : { uri: "s3://bucket/inactive" };
        const shown = by === "name" ? "name='inactive_asset'" : "uri='s3://bucket/inactive'";
        expectAnswer(
          await h.call("GET", query(valuePath, { ...inactive, key: "watermark" }), { token }),
          404,
          detail("not_found", `Asset with ${shown} not found`, "ASSET_NOT_FOUND"),
        );
      });
    });

    describe(`PUT by ${by}`, () => {
      it("creates the row, storing JSON text", async () => {
        const a = await freshAsset();
        expectAnswer(
          await h.call("PUT", query(valuePath, { ...address(a), key: "watermark" }), {
            token,
            body: { value: "2026-04-29" },
          }),
          204,
        );
        expect((await rowsOf(h).getEntry(assetByName(a.name), "watermark"))?.value).toBe('"2026-04-29"');
      });

      it("records the task instance as the writer", async () => {
        const a = await freshAsset();
        expectAnswer(
          await h.call("PUT", query(valuePath, { ...address(a), key: "watermark" }), {
            token,
            body: { value: "v" },
          }),
          204,
        );
        expect((await rowsOf(h).getEntry(assetByName(a.name), "watermark"))?.lastUpdatedBy).toEqual({
          kind: "task",
          dagId: ti.dagId,
          runId: ti.runId,
          taskId: ti.taskId,
          mapIndex: ti.mapIndex,
        });
      });

      it(`answers 404 for an unknown ${by}`, async () => {
        const missing: Record<string, string> =
          by === "name" ? { name: "nonexistent" } : { uri: "s3://nonexistent/path" };
        const shown = by === "name" ? "name='nonexistent'" : "uri='s3://nonexistent/path'";
        expectAnswer(
          await h.call("PUT", query(valuePath, { ...missing, key: "watermark" }), {
            token,
            body: { value: "x" },
          }),
          404,
          detail("not_found", `Asset with ${shown} not found`, "ASSET_NOT_FOUND"),
        );
      });
    });

    describe(`DELETE and clear by ${by}`, () => {
      it("removes the key", async () => {
        const a = await freshAsset();
        await seed(a.name, "watermark", "2026-04-29");
        expectAnswer(
          await h.call("DELETE", query(valuePath, { ...address(a), key: "watermark" }), { token }),
          204,
        );
        expect(
          (await h.call("GET", query(valuePath, { ...address(a), key: "watermark" }), { token })).status,
        ).toBe(404);
      });

      it("clears every key", async () => {
        const a = await freshAsset();
        for (const [k, v] of [
          ["watermark", "a"],
          ["last_id", "b"],
          ["schema_hash", "c"],
        ]) {
          await seed(a.name, k as string, v as string);
        }
        expectAnswer(await h.call("DELETE", query(clearPath, address(a)), { token }), 204);
        expect((await rowsOf(h).list(assetByName(a.name))).entries).toEqual([]);
      });
    });
  }

  it("reads an asset whose name has slashes", async () => {
    await seed("team/sales/orders", "wm", "x");
    expectAnswer(
      await h.call("GET", query(BY_NAME_VALUE, { name: "team/sales/orders", key: "wm" }), { token }),
      200,
      { value: "x" },
    );
  });

  for (const [what, value] of [
    ["an int", 5],
    ["a dict", { rows: 1234, status: "ok" }],
    ["a list", [1, 2, 3]],
  ] as const) {
    it(`round-trips ${what} by name`, async () => {
      const a = await freshAsset();
      const path = query(BY_NAME_VALUE, { name: a.name, key: "k" });
      expectAnswer(await h.call("PUT", path, { token, body: { value } }), 204);
      expectAnswer(await h.call("GET", path, { token }), 200, { value });
    });
  }

  it("overwrites an existing key by name", async () => {
    const a = await freshAsset();
    const path = query(BY_NAME_VALUE, { name: a.name, key: "watermark" });
    await h.call("PUT", path, { token, body: { value: "2026-04-28" } });
    expectAnswer(await h.call("PUT", path, { token, body: { value: "2026-04-29" } }), 204);
    expectAnswer(await h.call("GET", path, { token }), 200, { value: "2026-04-29" });
  });

  it("is a no-op to delete a missing key by name", async () => {
    const a = await freshAsset();
    expectAnswer(
      await h.call("DELETE", query(BY_NAME_VALUE, { name: a.name, key: "never_existed" }), { token }),
      204,
    );
  });

  for (const [what, body, message] of [
    ["an empty body", {}, 'body is missing the field "value"'],
    ["a null value", { value: null }, "body.value is null; delete the key instead of storing null"],
    ["an extra field", { value: "x", expires_at: null }, 'body has the unknown field "expires_at"'],
  ] as const) {
    it(`answers 422 for ${what}`, async () => {
      const a = await freshAsset();
      expectAnswer(
        await h.call("PUT", query(BY_NAME_VALUE, { name: a.name, key: "watermark" }), { token, body }),
        422,
        detail("invalid", message, "INVALID_VALUE"),
      );
      expect(await rowsOf(h).getEntry(assetByName(a.name), "watermark")).toBeNull();
    });
  }

  for (const literal of ["NaN", "Infinity", "-Infinity"]) {
    it(`answers 422 for a raw ${literal}`, async () => {
      const a = await freshAsset();
      expectAnswer(
        await h.call("PUT", query(BY_NAME_VALUE, { name: a.name, key: "watermark" }), {
          token,
          rawBody: `{"value": ${literal}}`,
        }),
        422,
        detail("invalid", expect.stringMatching(/^request body is not valid JSON/), "INVALID_VALUE"),
      );
    });
  }

  it("names the token's task instance with Python's UUID repr when it is gone", async () => {
    const gone = "7b3c0f0e-3a52-4b8e-9c1d-0f5e2a6d9b11";
    const a = await freshAsset();
    expectAnswer(
      await h.call("PUT", query(BY_NAME_VALUE, { name: a.name, key: "k" }), {
        token: await h.token(gone),
        body: { value: 1 },
      }),
      404,
      detail("not_found", `Task instance UUID('${gone}') not found`, "TASK_INSTANCE_NOT_FOUND"),
    );
  });
});
