import type { StoreScope } from "@tidemark/state";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TidemarkDatabase } from "../../src/database/tidemark-database.js";
import { MetastoreBackend } from "../../src/metastore/metastore-backend.js";
import { type RestHarness, restErrorOf, startRestHarness, taskStatePath } from "./support/rest-harness.js";

/**
 * Fault injection: another writer lands between the route's read of the live version and its delete, which
 * no real client can time. The delete must then fail its precondition instead of removing the newer value.
 */
class RacingBackend extends MetastoreBackend {
  raceOnce = false;
  override async delete(scope: StoreScope, key: string, options?: { ifVersion?: number }): Promise<void> {
    if (this.raceOnce) {
      this.raceOnce = false;
      await super.set(scope, key, JSON.stringify("written meanwhile"), { expiresAt: null });
    }
    return super.delete(scope, key, options);
  }
}

describe("Core REST API conditional DELETE", () => {
  let h: RestHarness;
  let backend: RacingBackend;
  beforeAll(async () => {
    h = await startRestHarness({
      backendFor: (database: TidemarkDatabase) => {
        backend = new RacingBackend({ database });
        return backend;
      },
    });
    await h.api.taskInstance({ dagId: "race", runId: "r", taskId: "t" });
  });
  afterAll(() => h.close());

  it("deletes with the version it checked, so a write in between survives and the answer is 412", async () => {
    const path = taskStatePath("race", "r", "t", "k");
    await h.rest("PUT", path, { body: { value: "first", expires_at: null } });
    backend.raceOnce = true;
    const answer = await h.rest("DELETE", path, { headers: { "if-match": '"1"' } });
    expect(restErrorOf(answer, 412, "PRECONDITION_FAILED")).toContain("version 2");
    expect(answer.headers.get("etag")).toBe('"2"');
    const read = await h.rest("GET", path);
    expect(read.body).toMatchObject({ key: "k", value: "written meanwhile" });
  });

  it("If-None-Match: * on DELETE succeeds only when the key is absent, deleting nothing", async () => {
    const path = taskStatePath("race", "r", "t", "absent");
    expect((await h.rest("DELETE", path, { headers: { "if-none-match": "*" } })).status).toBe(204);
    await h.rest("PUT", path, { body: { value: 1, expires_at: null } });
    const refused = await h.rest("DELETE", path, { headers: { "if-none-match": "*" } });
    restErrorOf(refused, 412, "PRECONDITION_FAILED");
    expect((await h.rest("GET", path)).status).toBe(200);
  });
});
