import { mkdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { StateStoreObjectStorageBackend } from "@tidemark/provider-common-io";
import { assetScope, taskScope, wrapStateRef } from "@tidemark/state";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createDatabase } from "../../src/database/create-database.js";
import { getAssetByName } from "../../src/metadata/assets.js";
import { MetastoreBackend } from "../../src/metastore/metastore-backend.js";
import { requireBuilt } from "../support/built.js";
import { type CliRun, type CliWorkspace, cliWorkspace, jsonOf, ok } from "./support/cli-workspace.js";

vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });
beforeAll(() => requireBuilt());

/** The provider as a deployment names it in workers.state_store_backend (its built entry point). */
const PROVIDER = `${createRequire(import.meta.url).resolve("@tidemark/provider-common-io")}#StateStoreObjectStorageBackend`;

const TASK = ["--dag-id", "etl", "--run-id", "r1", "--task-id", "extract"];
const BIG = { rows: Array.from({ length: 50 }, (_, i) => ({ id: i, name: `row ${i}` })) };
const BLOB = { cursor: "2026-01-01T00:00:00Z", seen: [1, 2, 3] };

function lines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe("tidemark state-store export of offloaded values", () => {
  let source: CliWorkspace;
  let refs: { task: string; asset: string };

  beforeAll(async () => {
    source = cliWorkspace();
    const objectsDir = join(source.dir, "objects");
    mkdirSync(objectsDir);
    const objectsUrl = `${pathToFileURL(objectsDir).href}/`;
    // The deployment's workers offload to this directory; the CLI reads it with the same configuration.
    Object.assign(source.env, {
      TIDEMARK__WORKERS__STATE_STORE_BACKEND: PROVIDER,
      TIDEMARK__COMMON_IO__STATE_STORE_OBJECTSTORAGE_PATH: objectsUrl,
    });
    ok(await source.direct(["task-instances", "create", ...TASK]));
    ok(await source.direct(["assets", "register", "--name", "orders", "--uri", "s3://bucket/orders"]));
    ok(await source.direct(["state-store", "set", ...TASK, "small", '"inline"']));
    // What a worker does: the object goes to object storage, only the envelope to the database.
    const worker = new StateStoreObjectStorageBackend({ path: objectsUrl, threshold: 0 });
    const database = createDatabase(source.url);
    try {
      const backend = new MetastoreBackend({ database });
      const task = taskScope({ dagId: "etl", runId: "r1", taskId: "extract" });
      const orders = await getAssetByName(database, "orders");
      const asset = assetScope({ assetId: orders?.id as number, name: "orders", uri: "s3://bucket/orders" });
      const taskRef = await worker.serializeTaskStateStoreToRef({
        value: BIG,
        text: JSON.stringify(BIG),
        key: "big",
        scope: task,
      });
      const assetRef = await worker.serializeAssetStateStoreToRef({
        value: BLOB,
        text: JSON.stringify(BLOB),
        key: "blob",
        scope: asset,
      });
      refs = { task: taskRef as string, asset: assetRef as string };
      await backend.set(task, "big", JSON.stringify(wrapStateRef(refs.task)), {
        expiresAt: new Date(Date.now() + 86_400_000),
      });
      await backend.set(asset, "blob", JSON.stringify(wrapStateRef(refs.asset)), {
        writer: { kind: "task", dagId: "etl", runId: "r1", taskId: "extract", mapIndex: -1 },
      });
    } finally {
      await database.close();
    }
    expect(refs.task).toMatch(/^file:\/\//);
  });
  afterAll(() => source.dispose());

  it.each(["direct", "api"] as const)(
    "without --with-objects it keeps the envelopes and warns on stderr, naming how many and which keys (%s)",
    async (mode) => {
      const run = mode === "direct" ? source.direct : source.api;
      const exported = ok(await run(["state-store", "export"]));
      const all = lines(exported.stdout);
      expect(all.filter((l) => l.is_reference === true).map((l) => l.key)).toEqual(["big", "blob"]);
      expect(exported.stderr).toBe(
        'warning: 2 keys hold a value offloaded to object storage that this export carries only as a reference, which only this deployment (same api.secret_key, same objects) can restore: etl/r1/extract[-1] "big", asset orders "blob"; pass --with-objects to export the values themselves\n',
      );
    },
  );

  it("--with-objects reads the objects through the worker backend; another deployment imports real values", async () => {
    const direct = ok(await source.direct(["state-store", "export", "--with-objects"]));
    expect(direct.stderr).toBe("");
    const api = ok(await source.api(["state-store", "export", "--with-objects"]));
    expect(api.stdout).toBe(direct.stdout);
    const all = lines(direct.stdout);
    expect(all.map((l) => [l.key, l.value, l.resolved_reference])).toEqual([
      ["big", BIG, refs.task],
      ["small", "inline", undefined],
      ["blob", BLOB, refs.asset],
    ]);
    expect(all.some((l) => "is_reference" in l || "reference_seal" in l)).toBe(false);

    // Another deployment: another secret key and no object storage at all.
    const target = cliWorkspace({ TIDEMARK__API__SECRET_KEY: "another-deployment-secret-key-0123456789" });
    try {
      rmSync(join(source.dir, "objects"), { recursive: true });
      ok(await target.direct(["state-store", "import"], direct.stdout));
      const big = jsonOf<{ value: unknown; is_reference: boolean }>(
        ok(await target.direct(["state-store", "get", ...TASK, "big"])),
      );
      expect(big).toMatchObject({ value: BIG, is_reference: false });
      // Imported through the api-server as well (the scopes exist now).
      ok(await target.api(["state-store", "import"], direct.stdout));
      const blob = jsonOf<{ value: unknown; last_updated_by: { kind: string } }>(
        ok(await target.api(["state-store", "get", "--asset-name", "orders", "blob"])),
      );
      expect(blob).toMatchObject({ value: BLOB, last_updated_by: { kind: "api" } });
    } finally {
      await target.dispose();
    }
    // The objects are gone now: --with-objects fails naming the key, and nothing partial is hidden.
    const missing: CliRun = await source.direct(["state-store", "export", "--with-objects", ...TASK]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('cannot read the offloaded value of key "big"');
  });

  it("--with-objects without a worker backend says which option to set", async () => {
    const plain = cliWorkspace();
    try {
      const run = await plain.direct(["state-store", "export", "--with-objects"]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("workers.state_store_backend is empty");
      expect(run.stderr).toContain("[CONFIG_ERROR]");
    } finally {
      await plain.dispose();
    }
  });
});
