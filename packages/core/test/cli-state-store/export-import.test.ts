import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { assetScope, taskScope, wrapStateRef } from "@tidemark/state";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createDatabase } from "../../src/database/create-database.js";
import type { TidemarkDatabase } from "../../src/database/tidemark-database.js";
import { getAssetByName } from "../../src/metadata/assets.js";
import { MetastoreBackend } from "../../src/metastore/metastore-backend.js";
import { requireBuilt } from "../support/built.js";
import { type CliRun, type CliWorkspace, cliWorkspace, jsonOf, ok } from "./support/cli-workspace.js";

vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });
beforeAll(() => requireBuilt());

async function withBackend<T>(
  w: CliWorkspace,
  work: (backend: MetastoreBackend, database: TidemarkDatabase) => Promise<T>,
) {
  const database = createDatabase(w.url);
  try {
    return await work(new MetastoreBackend({ database }), database);
  } finally {
    await database.close();
  }
}

function lines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The export lines as an import leaves them: each asset key last written by the importer (kind api). */
function importedByApi(text: string): Record<string, unknown>[] {
  return lines(text).map((l) =>
    l.scope === "asset"
      ? { ...l, last_updated_by: { kind: "api", dag_id: null, run_id: null, task_id: null, map_index: null } }
      : l,
  );
}

function failed(run: CliRun, code: string): string {
  expect(run.code, run.stdout).not.toBe(0);
  expect(run.stderr).toContain(`[${code}]`);
  return run.stderr;
}

const TASKS = [
  ["--dag-id", "etl", "--run-id", "r1", "--task-id", "extract"],
  ["--dag-id", "etl", "--run-id", "r1", "--task-id", "map", "--map-index", "0"],
  ["--dag-id", "etl", "--run-id", "r1", "--task-id", "map", "--map-index", "1"],
  ["--dag-id", "etl", "--run-id", "r0", "--task-id", "extract"],
  ["--dag-id", "report", "--run-id", "2026-01-01", "--task-id", "send/mail"],
];

/** Creates the scopes of the source state (task instances and assets) in a workspace. */
async function createScopes(w: CliWorkspace): Promise<void> {
  for (const scope of TASKS) ok(await w.direct(["task-instances", "create", ...scope]));
  ok(await w.direct(["assets", "register", "--name", "orders", "--uri", "s3://bucket/orders"]));
  ok(await w.direct(["assets", "register", "--name", "feed/raw", "--uri", "file:///data/feed"]));
}

describe("tidemark state-store export and import", () => {
  let source: CliWorkspace;
  let exported: string;

  beforeAll(async () => {
    source = cliWorkspace();
    await createScopes(source);
    ok(await source.direct(["assets", "register", "--name", "retired"]));
    const [extract, map0, map1, old, report] = TASKS as [string[], string[], string[], string[], string[]];
    const set = async (scope: string[], key: string, value: string, ...flags: string[]) =>
      ok(await source.direct(["state-store", "set", ...scope, key, value, ...flags]));
    await set(extract, "watermark", '{"rows": 3, "nested": [1, null, "x"]}', "--retention", "7d");
    await set(extract, "forever", '"never expires"', "--retention", "never");
    const envelope = JSON.stringify(wrapStateRef("s3://bucket/state/etl/r1/extract/-1/big"));
    // Operators cannot write a reference; a worker backend does.
    expect(
      failed(await source.direct(["state-store", "set", ...extract, "big", envelope]), "INVALID_VALUE"),
    ).toContain("__airflow_state_ref__");
    await set(map0, "a/b", "0");
    await set(map1, "a/b", "1", "--retention", "12h");
    await set(old, "k", "true");
    await set(report, "ünï%_", '"text"');
    await set(["--asset-name", "orders"], "watermark", '"2026-01-01"');
    await set(["--asset-name", "feed/raw"], "cursor", '{"offset": 42}');
    await set(["--asset-name", "retired"], "gone", "1");
    ok(await source.direct(["assets", "deactivate", "--name", "retired"]));
    await withBackend(source, async (backend, database) => {
      await backend.set(taskScope({ dagId: "etl", runId: "r1", taskId: "extract" }), "big", envelope, {
        expiresAt: new Date(Date.now() + 86_400_000),
      });
      // An expired key (invisible, never exported) and an asset key last written by a task.
      await backend.set(taskScope({ dagId: "etl", runId: "r1", taskId: "extract" }), "expired", "1", {
        expiresAt: new Date(Date.now() - 60_000),
      });
      const orders = await getAssetByName(database, "orders");
      await backend.set(assetScope({ assetId: orders?.id as number }), "by-task", '"t"', {
        writer: { kind: "task", dagId: "etl", runId: "r1", taskId: "extract", mapIndex: -1 },
      });
    });
    exported = ok(await source.direct(["state-store", "export"])).stdout;
  });
  afterAll(() => source.dispose());

  it("exports every live key of every task instance and active asset as NDJSON, in a stable order", () => {
    const all = lines(exported);
    expect(
      all.map((l) =>
        l.scope === "task" ? [l.dag_id, l.run_id, l.task_id, l.map_index, l.key] : [l.name, l.key],
      ),
    ).toEqual([
      ["etl", "r0", "extract", -1, "k"],
      ["etl", "r1", "extract", -1, "big"],
      ["etl", "r1", "extract", -1, "forever"],
      ["etl", "r1", "extract", -1, "watermark"],
      ["etl", "r1", "map", 0, "a/b"],
      ["etl", "r1", "map", 1, "a/b"],
      ["report", "2026-01-01", "send/mail", -1, "ünï%_"],
      ["feed/raw", "cursor"],
      ["orders", "by-task"],
      ["orders", "watermark"],
    ]);
    expect(all[3]).toEqual({
      scope: "task",
      dag_id: "etl",
      run_id: "r1",
      task_id: "extract",
      map_index: -1,
      key: "watermark",
      value: { rows: 3, nested: [1, null, "x"] },
      expires_at: expect.stringMatching(/Z$/),
    });
    expect(all[2]?.expires_at).toBeNull();
    expect(all[1]?.value).toEqual({ __airflow_state_ref__: "s3://bucket/state/etl/r1/extract/-1/big" });
    expect(all[1]?.is_reference).toBe(true);
    expect(all.filter((l) => l.is_reference !== undefined)).toHaveLength(1);
    expect(all[8]).toEqual({
      scope: "asset",
      name: "orders",
      uri: "s3://bucket/orders",
      key: "by-task",
      value: "t",
      last_updated_by: { kind: "task", dag_id: "etl", run_id: "r1", task_id: "extract", map_index: -1 },
    });
  });

  it("exports one task instance, every map index of a task, or one asset; --file writes a file", async () => {
    const one = lines(ok(await source.direct(["state-store", "export", ...(TASKS[1] as string[])])).stdout);
    expect(one.map((l) => [l.map_index, l.key])).toEqual([[0, "a/b"]]);
    const all = ["--dag-id", "etl", "--run-id", "r1", "--task-id", "map", "--all-map-indices"];
    expect(
      lines(ok(await source.direct(["state-store", "export", ...all])).stdout).map((l) => l.value),
    ).toEqual([0, 1]);
    const file = join(source.dir, "orders.ndjson");
    const written = ok(
      await source.direct(["state-store", "export", "--asset-uri", "s3://bucket/orders", "--file", file]),
    );
    expect(written.stdout).toBe("");
    expect(written.stderr).toContain("Exported 2 keys");
    expect(lines(readFileSync(file, "utf8")).map((l) => l.key)).toEqual(["by-task", "watermark"]);
    // A deactivated asset is left out of "everything", but can be exported by name.
    expect(
      lines(ok(await source.direct(["state-store", "export", "--asset-name", "retired"])).stdout),
    ).toEqual([expect.objectContaining({ name: "retired", key: "gone" })]);
    failed(
      await source.direct(["state-store", "export", "--dag-id", "etl", "--run-id", "nope", "--task-id", "x"]),
      "DAG_RUN_NOT_FOUND",
    );
  });

  it("import refuses an envelope on a line the export did not record as a reference", async () => {
    const target = cliWorkspace();
    try {
      await createScopes(target);
      const forged = exported
        .split("\n")
        .filter((l) => l.includes('"key":"watermark"') && l.includes('"scope":"task"'))
        .map((l) => l.replace(/"value":\{.*?\]\}/, `"value":{"__airflow_state_ref__":"s3://x"}`))
        .join("\n");
      expect(forged).toContain("__airflow_state_ref__");
      for (const run of [target.direct, target.api]) {
        expect(failed(await run(["state-store", "import"], forged), "INVALID_VALUE")).toContain("wrap it");
      }
      expect(ok(await target.direct(["state-store", "export"])).stdout).toBe("");
    } finally {
      await target.dispose();
    }
  });

  it("import restores a reference only with the seal its export recorded, for the key it came from", async () => {
    const reference = exported.split("\n").find((l) => l.includes('"is_reference":true')) as string;
    expect(reference).toMatch(/"reference_seal":"[\w-]{43}"/);
    const other = cliWorkspace({ TIDEMARK__API__SECRET_KEY: "another-deployment-secret-key-0123456789" });
    const target = cliWorkspace();
    try {
      await createScopes(other);
      await createScopes(target);
      // Another deployment (another api.secret_key) cannot restore it.
      for (const run of [other.direct, other.api]) {
        expect(failed(await run(["state-store", "import"], reference), "INVALID_VALUE")).toContain(
          "same api.secret_key",
        );
      }
      // Nor can the seal move the reference to another key, or lines drop it.
      const moved = reference.replace('"key":"big"', '"key":"elsewhere"');
      const unsealed = reference.replace(/,"reference_seal":"[\w-]+"/, "");
      for (const run of [target.direct, target.api]) {
        expect(failed(await run(["state-store", "import"], moved), "INVALID_VALUE")).toContain(
          "does not match its scope, key and reference",
        );
        expect(failed(await run(["state-store", "import"], unsealed), "INVALID_VALUE")).toContain(
          '"reference_seal"',
        );
      }
      expect(ok(await target.direct(["state-store", "export"])).stdout).toBe("");
      expect(ok(await other.direct(["state-store", "export"])).stdout).toBe("");
    } finally {
      await other.dispose();
      await target.dispose();
    }
  });

  it("export through --api-url gives the same text", async () => {
    expect(ok(await source.api(["state-store", "export"])).stdout).toBe(exported);
  });

  it("import into a fresh database creates the scopes and restores the state, recording the importer as writer (direct)", async () => {
    const target = cliWorkspace();
    try {
      const file = join(target.dir, "state.ndjson");
      writeFileSync(file, exported);
      const imported = ok(await target.direct(["state-store", "import", file, "-o", "table"]));
      expect(imported.stdout).toMatch(
        /^Imported 10 keys \(7 task state, 3 asset state\) into sqlite:.*; created 5 task instances and 2 assets\.\n$/,
      );
      const reexported = ok(await target.direct(["state-store", "export"])).stdout;
      expect(lines(reexported)).toEqual(importedByApi(exported));
      // Importing again overwrites (versions move on, the state is the same).
      const again = jsonOf(ok(await target.direct(["state-store", "import"], exported)));
      expect(again).toEqual({
        task_keys: 7,
        asset_keys: 3,
        skipped_expired: 0,
        created_task_instances: 0,
        created_assets: 0,
      });
      expect(ok(await target.direct(["state-store", "export"])).stdout).toBe(reexported);
      const entry = jsonOf<{ version: number }>(
        ok(await target.direct(["state-store", "get", ...(TASKS[0] as string[]), "watermark"])),
      );
      expect(entry.version).toBe(2);
    } finally {
      await target.dispose();
    }
  });

  it("import through --api-url needs existing scopes, then restores the state (the API records writer api)", async () => {
    const target = cliWorkspace();
    try {
      const missing = await target.api(["state-store", "import"], exported);
      expect(failed(missing, "DAG_RUN_NOT_FOUND")).toContain("Task instance not found for dag_id=");
      expect(ok(await target.direct(["state-store", "export"])).stdout).toBe("");
      await createScopes(target);
      const imported = jsonOf(ok(await target.api(["state-store", "import"], exported)));
      expect(imported).toMatchObject({
        task_keys: 7,
        asset_keys: 3,
        created_task_instances: 0,
        created_assets: 0,
      });
      expect(lines(ok(await target.api(["state-store", "export"])).stdout)).toEqual(importedByApi(exported));
    } finally {
      await target.dispose();
    }
  });

  it("checks every line before writing anything; skips keys that expired meanwhile; --no-create refuses", async () => {
    const target = cliWorkspace();
    try {
      const good = lines(exported)[0] as Record<string, unknown>;
      const bad = [JSON.stringify(good), JSON.stringify({ ...good, key: "k2", value: null })].join("\n");
      expect(failed(await target.direct(["state-store", "import"], bad), "INVALID_VALUE")).toContain(
        "line 2",
      );
      failed(
        await target.direct(["state-store", "import"], `${JSON.stringify(good)}\nnot json\n`),
        "INVALID_VALUE",
      );
      failed(
        await target.direct(["state-store", "import"], JSON.stringify({ ...good, scope: "dag" })),
        "INVALID_VALUE",
      );
      failed(
        await target.direct(["state-store", "import"], JSON.stringify({ ...good, extra: 1 })),
        "INVALID_VALUE",
      );
      failed(
        await target.direct(
          ["state-store", "import"],
          JSON.stringify({ ...good, expires_at: "2030-01-01T00:00" }),
        ),
        "INVALID_VALUE",
      );
      failed(
        await target.direct(["state-store", "import"], JSON.stringify({ ...good, key: "" })),
        "INVALID_KEY",
      );
      expect(ok(await target.direct(["state-store", "export"])).stdout).toBe("");
      failed(
        await target.direct(["state-store", "import", "--no-create"], JSON.stringify(good)),
        "DAG_RUN_NOT_FOUND",
      );
      failed(
        await target.direct(["state-store", "import", join(target.dir, "nope.ndjson")]),
        "INVALID_VALUE",
      );
      const stale = JSON.stringify({ ...good, key: "stale", expires_at: "2001-01-01T00:00:00Z" });
      const report = jsonOf(
        ok(await target.direct(["state-store", "import"], `${stale}\n\n${JSON.stringify(good)}\n`)),
      );
      expect(report).toEqual({
        task_keys: 1,
        asset_keys: 0,
        skipped_expired: 1,
        created_task_instances: 1,
        created_assets: 0,
      });
      expect(lines(ok(await target.direct(["state-store", "export"])).stdout)).toEqual([good]);
    } finally {
      await target.dispose();
    }
  });
});

describe("tidemark api-server scheduled cleanup", () => {
  it("sweeps expired keys every state_store.cleanup_interval_seconds and logs the sweep", async () => {
    const w = cliWorkspace({ TIDEMARK__STATE_STORE__CLEANUP_INTERVAL_SECONDS: "1" });
    try {
      ok(await w.direct(["task-instances", "create", "--dag-id", "gc", "--run-id", "r", "--task-id", "t"]));
      await withBackend(w, (backend) =>
        backend.set(taskScope({ dagId: "gc", runId: "r", taskId: "t" }), "old", "1", {
          expiresAt: new Date(Date.now() - 1000),
        }),
      );
      const server = await w.server();
      const deadline = Date.now() + 60_000;
      while (!server.stderr().includes("state store cleanup deleted 1 rows")) {
        if (Date.now() > deadline) throw new Error(`no sweep logged; stderr:\n${server.stderr()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const sweep = server
        .stderr()
        .split("\n")
        .filter((l) => l.includes("state store cleanup deleted 1 rows"))
        .map((l) => JSON.parse(l) as Record<string, unknown>)[0];
      expect(sweep).toMatchObject({
        deleted: { task_state_store: 1, asset_state_store: 0 },
        duration_ms: expect.any(Number),
      });
      expect(server.stderr()).toContain("scheduled state store cleanup is on");
      const stopped = await server.stop();
      expect(stopped.code).toBe(0);
    } finally {
      await w.dispose();
    }
  });
});
