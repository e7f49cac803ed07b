/**
 * Airflow's Core API asset state store route tests (test_asset_state_store.py), ported case by case and
 * run over real HTTP against a real api-server on SQLite and Postgres, with exact bodies.
 */
import { assetScope } from "@tidemark/state";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getAssetByName } from "../../../src/metadata/assets.js";
import { closeTestDatabases, DATABASE_KINDS } from "../../api/support/api-harness.js";
import {
  assetStatePath,
  type DatabaseKind,
  itemsOf,
  type RestHarness,
  restErrorOf,
  startRestHarness,
} from "../support/rest-harness.js";

afterAll(() => closeTestDatabases());

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const API_WRITER = { kind: "api", dag_id: null, run_id: null, task_id: null, map_index: null };

describe.each<DatabaseKind>(DATABASE_KINDS)("Airflow Core API asset state store (%s)", (database) => {
  let h: RestHarness;
  let sequence = 0;
  let assetId = 0;

  beforeAll(async () => {
    h = await startRestHarness({ database });
  });
  afterAll(() => h.close());

  async function createAsset(name: string): Promise<number> {
    await h.api.asset(name, `s3://bucket/${name}`);
    return (await getAssetByName(h.api.database, name))?.id as number;
  }

  beforeEach(async () => {
    sequence++;
    assetId = await createAsset(`test_asset_${sequence}`);
  });

  const url = (key?: string) => assetStatePath(assetId, key);
  const seed = (key: string, value: unknown, id = assetId) =>
    h.api.server.backend.set(assetScope({ assetId: id }), key, JSON.stringify(value));
  const stored = async (key: string) =>
    (await h.api.server.backend.getEntry(assetScope({ assetId }), key))?.value;

  describe("unknown asset", () => {
    it("is 404 on every verb, with Airflow's detail", async () => {
      const answers = [
        await h.rest("GET", "/assets/99999/state-store"),
        await h.rest("GET", "/assets/99999/state-store/key"),
        await h.rest("PUT", "/assets/99999/state-store/key", { body: { value: "v" } }),
        await h.rest("DELETE", "/assets/99999/state-store/key"),
        await h.rest("DELETE", "/assets/99999/state-store"),
      ];
      for (const a of answers)
        expect(restErrorOf(a, 404, "ASSET_NOT_FOUND")).toBe("Asset with id 99999 not found");
    });
  });

  describe("list", () => {
    it("returns an empty list when there is no state", async () => {
      const r = await h.rest("GET", url());
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ asset_state_store: [], total_entries: 0 });
    });

    it("returns all keys, each exactly {key, value, updated_at, last_updated_by}", async () => {
      await seed("watermark", "2026-05-01");
      await seed("file_count", "42");
      const r = await h.rest("GET", url());
      expect(r.body).toEqual({
        asset_state_store: [
          { key: "file_count", value: "42", updated_at: expect.stringMatching(ISO), last_updated_by: null },
          {
            key: "watermark",
            value: "2026-05-01",
            updated_at: expect.stringMatching(ISO),
            last_updated_by: null,
          },
        ],
        total_entries: 2,
      });
    });

    it("returns last_updated_by when a task wrote the key", async () => {
      await h.api.server.backend.set(assetScope({ assetId }), "watermark", '"v"', {
        writer: { kind: "task", dagId: "d", runId: "r", taskId: "t", mapIndex: -1 },
      });
      const item = itemsOf(await h.rest("GET", url()), "asset_state_store")[0];
      expect(item).toEqual({
        key: "watermark",
        value: "v",
        updated_at: expect.stringMatching(ISO),
        last_updated_by: { kind: "task", dag_id: "d", run_id: "r", task_id: "t", map_index: -1 },
      });
      expect((await h.rest("GET", url("watermark"))).body?.last_updated_by).toEqual({
        kind: "task",
        dag_id: "d",
        run_id: "r",
        task_id: "t",
        map_index: -1,
      });
    });

    it("paginates with limit and offset", async () => {
      for (const k of ["watermark", "file_count", "last_run"]) await seed(k, "v");
      const two = await h.rest("GET", url(), { query: { limit: 2 } });
      expect(two.body?.total_entries).toBe(3);
      expect(itemsOf(two, "asset_state_store").length).toBe(2);
      const last = await h.rest("GET", url(), { query: { limit: 2, offset: 2 } });
      expect(last.body?.total_entries).toBe(3);
      expect(itemsOf(last, "asset_state_store").length).toBe(1);
    });

    it("is 401 without a token", async () => {
      restErrorOf(await h.rest("GET", url(), { token: null }), 401, "UNAUTHORIZED");
    });
  });

  describe("get", () => {
    it("returns the value with last_updated_by null for a key no writer was recorded for", async () => {
      await seed("watermark", "2026-05-01");
      const r = await h.rest("GET", url("watermark"));
      expect(r.status).toBe(200);
      expect(r.body).toEqual({
        key: "watermark",
        value: "2026-05-01",
        updated_at: expect.stringMatching(ISO),
        last_updated_by: null,
      });
    });

    it("is 404 for a missing key, with Airflow's detail", async () => {
      const r = await h.rest("GET", url("nonexistent"));
      expect(restErrorOf(r, 404, "NOT_FOUND")).toBe("Asset state store key 'nonexistent' not found");
    });

    it("supports keys with a slash", async () => {
      await seed("partition/date", "2026-05-01");
      const r = await h.rest("GET", `${url()}/partition/date`);
      expect(r.status).toBe(200);
      expect(r.body?.key).toBe("partition/date");
    });

    it("is 401 without a token", async () => {
      restErrorOf(await h.rest("GET", url("watermark"), { token: null }), 401, "UNAUTHORIZED");
    });
  });

  describe("set (PUT)", () => {
    it("creates a new key (204, no body) and overwrites it", async () => {
      const r = await h.rest("PUT", url("watermark"), { body: { value: "2026-05-01" } });
      expect(r.status).toBe(204);
      expect(r.text).toBe("");
      expect((await h.rest("GET", url("watermark"))).body?.value).toBe("2026-05-01");
      await h.rest("PUT", url("watermark"), { body: { value: "v2" } });
      expect((await h.rest("GET", url("watermark"))).body?.value).toBe("v2");
    });

    it("is 422 for an empty body, a null value, an oversized value and non-finite numbers", async () => {
      restErrorOf(await h.rest("PUT", url("watermark"), { body: {} }), 422, "INVALID_VALUE");
      restErrorOf(await h.rest("PUT", url("watermark"), { body: { value: null } }), 422, "INVALID_VALUE");
      restErrorOf(
        await h.rest("PUT", url("watermark"), { body: { value: "x".repeat(70000) } }),
        422,
        "VALUE_TOO_LARGE",
      );
      for (const raw of [
        '{"value": NaN}',
        '{"value": Infinity}',
        '{"value": {"a": NaN}}',
        '{"value": [Infinity]}',
      ]) {
        restErrorOf(await h.rest("PUT", url("watermark"), { rawBody: raw }), 422, "INVALID_VALUE");
      }
      expect((await h.rest("GET", url("watermark"))).status).toBe(404);
    });

    it("accepts an oversized value when the limit is disabled", async () => {
      const open = await startRestHarness({
        database,
        config: { state_store: { max_value_storage_bytes: 0 } },
      });
      try {
        await open.api.asset("big");
        const id = (await getAssetByName(open.api.database, "big"))?.id as number;
        const r = await open.rest("PUT", assetStatePath(id, "watermark"), {
          body: { value: "x".repeat(70000) },
        });
        expect(r.status).toBe(204);
      } finally {
        await open.close();
      }
    });

    it.each([42, "hello", { k: 1 }, [1, 2]])("stores %j JSON-encoded", async (value) => {
      await h.rest("PUT", url("k"), { body: { value } });
      expect(JSON.parse((await stored("k")) as string)).toEqual(value);
    });

    it("records the writer kind api", async () => {
      await h.rest("PUT", url("watermark"), { body: { value: "v" } });
      expect((await h.rest("GET", url("watermark"))).body?.last_updated_by).toEqual(API_WRITER);
    });

    it.each([42, true, { rows: 100 }, [1, "two"], "hello"])(
      "a Core API write of %j reads back",
      async (value) => {
        await h.rest("PUT", url("k"), { body: { value } });
        expect((await h.rest("GET", url("k"))).body?.value).toEqual(value);
      },
    );

    it.each([42, true, { rows: 100 }, [1, "two"], "hello"])(
      "a worker write of %j reads back",
      async (value) => {
        await seed("k", value);
        expect((await h.rest("GET", url("k"))).body?.value).toEqual(value);
      },
    );

    it("supports keys with a slash", async () => {
      expect((await h.rest("PUT", `${url()}/partition/date`, { body: { value: "2026-05-01" } })).status).toBe(
        204,
      );
      expect((await h.rest("GET", `${url()}/partition/date`)).body?.key).toBe("partition/date");
    });

    it("is 401 without a token", async () => {
      restErrorOf(
        await h.rest("PUT", url("watermark"), { token: null, body: { value: "v" } }),
        401,
        "UNAUTHORIZED",
      );
    });
  });

  describe("delete", () => {
    it("deletes a key; a missing key is a no-op 204; other keys stay", async () => {
      await seed("watermark", "a");
      await seed("file_count", "b");
      expect((await h.rest("DELETE", url("watermark"))).status).toBe(204);
      expect((await h.rest("GET", url("watermark"))).status).toBe(404);
      expect((await h.rest("GET", url("file_count"))).body?.value).toBe("b");
      expect((await h.rest("DELETE", url("nonexistent"))).status).toBe(204);
    });

    it("supports keys with a slash", async () => {
      await seed("partition/date", "v");
      expect((await h.rest("DELETE", `${url()}/partition/date`)).status).toBe(204);
      expect((await h.rest("GET", `${url()}/partition/date`)).status).toBe(404);
    });

    it("is 401 without a token", async () => {
      restErrorOf(await h.rest("DELETE", url("watermark"), { token: null }), 401, "UNAUTHORIZED");
    });
  });

  describe("clear", () => {
    it("clears all keys, slash keys included; a no-op 204 without state", async () => {
      expect((await h.rest("DELETE", url())).status).toBe(204);
      for (const [k, v] of [
        ["watermark", "a"],
        ["file_count", "b"],
        ["partition/date", "c"],
      ])
        await seed(k as string, v);
      expect((await h.rest("DELETE", url())).status).toBe(204);
      expect((await h.rest("GET", url())).body?.total_entries).toBe(0);
    });

    it("does not affect other assets", async () => {
      const other = await createAsset(`other_asset_${sequence}`);
      await seed("watermark", "mine");
      await seed("watermark", "theirs", other);
      await h.rest("DELETE", url());
      expect((await h.rest("GET", assetStatePath(other, "watermark"))).body?.value).toBe("theirs");
    });

    it("is 401 without a token", async () => {
      restErrorOf(await h.rest("DELETE", url(), { token: null }), 401, "UNAUTHORIZED");
    });
  });
});
