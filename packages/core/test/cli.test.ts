import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { taskScope } from "@tidemark/state";
import { cleanEnv, runNode } from "@tidemark/testkit/process";
import { tempDir } from "@tidemark/testkit/temp-dir";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createDatabase } from "../src/database/create-database.js";
import type { TidemarkDatabase } from "../src/database/tidemark-database.js";
import { deactivateAsset, registerAsset } from "../src/metadata/assets.js";
import { createTaskInstance, getTaskInstance } from "../src/metadata/task-instances.js";
import { MetastoreBackend } from "../src/metastore/metastore-backend.js";
import { migrate } from "../src/migrations/migrate.js";
import { requireBuilt } from "./support/built.js";
import { cliCreateTaskInstance } from "./support/cli-create-task-instance.js";
import { connectTestMysql } from "./support/mysql.js";
import { connectTestPostgres } from "./support/postgres.js";
import { runTidemark } from "./support/run-tidemark.js";

const postgres = await connectTestPostgres();
afterAll(() => postgres.close());
const mysql = await connectTestMysql();
afterAll(() => mysql.close());
beforeAll(() => requireBuilt());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("tidemark CLI (end to end, SQLite)", () => {
  let dir: ReturnType<typeof tempDir>;
  let url: string;
  let env: NodeJS.ProcessEnv;
  const run = (...args: string[]) => runTidemark(args, { cwd: dir.path, env });
  const open = async <T>(work: (database: TidemarkDatabase) => Promise<T>): Promise<T> => {
    const database = createDatabase(url);
    try {
      return await work(database);
    } finally {
      await database.close();
    }
  };

  beforeEach(() => {
    dir = tempDir("tidemark-cli-");
    url = `sqlite:///${dir.path}/meta/tidemark.db`;
    env = cleanEnv({ TIDEMARK__DATABASE__URL: url });
  });
  afterEach(() => dir.remove());

  it("prints --help for the program and every command", async () => {
    const root = await run("--help");
    expect(root.code).toBe(0);
    for (const group of ["db", "assets", "task-instances", "dags", "dag-runs", "state-store"])
      expect(root.stdout).toContain(group);
    for (const command of [
      ["db", "migrate"],
      ["db", "reset"],
      ["assets", "register"],
      ["assets", "deactivate"],
      ["task-instances", "create"],
      ["task-instances", "list"],
      ["dags", "list"],
      ["dag-runs", "list"],
      ["state-store", "clean"],
    ]) {
      const help = await run(...command, "--help");
      expect(help.code, command.join(" ")).toBe(0);
      expect(help.stdout).toContain(`Usage: tidemark ${command.join(" ")}`);
    }
  });

  it("db migrate creates the schema, then reports it up to date", async () => {
    const first = await run("db", "migrate");
    expect(first).toMatchObject({ code: 0, stderr: "" });
    expect(first.stdout).toMatch(
      /^Applied 2 migrations to sqlite:.*: 0001_initial_schema, 0002_task_region\n$/,
    );
    const second = await run("db", "migrate");
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("is up to date");
  });

  it("db reset refuses without --yes and keeps the data; with --yes it empties the metastore", async () => {
    expect((await run("assets", "register", "--name", "orders")).code).toBe(0);
    const refused = await run("db", "reset");
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toContain("--yes");
    expect(await open((db) => db.db.selectFrom("asset").select("name").execute())).toEqual([
      { name: "orders" },
    ]);
    const reset = await run("db", "reset", "--yes");
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain("the metastore is empty");
    expect(await open((db) => db.db.selectFrom("asset").select("name").execute())).toEqual([]);
  });

  it("assets register and deactivate print the asset as JSON; errors go to stderr with a non-zero exit", async () => {
    const registered = await run("assets", "register", "--name", "orders", "--uri", "s3://bucket/orders");
    expect(registered.code).toBe(0);
    const asset = JSON.parse(registered.stdout);
    expect(asset).toMatchObject({ id: 1, name: "orders", uri: "s3://bucket/orders", active: true });
    const deactivated = await run("assets", "deactivate", "--name", "orders");
    expect(deactivated.code).toBe(0);
    expect(JSON.parse(deactivated.stdout)).toMatchObject({ id: 1, active: false });
    const listed = JSON.parse((await run("assets", "list")).stdout);
    expect(listed).toMatchObject({ total_entries: 1, assets: [{ name: "orders", active: false }] });

    const unknown = await run("assets", "deactivate", "--name", "nope");
    expect(unknown.code).toBe(3);
    expect(unknown.stdout).toBe("");
    expect(unknown.stderr).toContain("ASSET_NOT_FOUND");
    const missingName = await run("assets", "register");
    expect(missingName.code).not.toBe(0);
    expect(missingName.stderr).toContain("--name");
  });

  it("task-instances create --region-id puts one task instance in each region and rejects a non-UUID", async () => {
    const key = ["task-instances", "create", "--dag-id", "etl", "--run-id", "r1", "--task-id", "t"];
    const plain = await run(...key);
    const region = "1B9D6BCD-BBFD-4B2D-9B5D-AB8DFBBD4BED";
    const inRegion = await run(...key, "--region-id", region);
    expect(inRegion).toMatchObject({ code: 0, stderr: "" });
    expect(JSON.parse(inRegion.stdout).region_id).toBe(region.toLowerCase());
    expect(JSON.parse(inRegion.stdout).id).not.toBe(JSON.parse(plain.stdout).id);
    const again = await run(...key, "--region-id", region.toLowerCase());
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain("already exists");
    const bad = await run(...key, "--region-id", "eu-west");
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("--region-id must be a UUID");
  });

  it("task-instances create makes the dag run if needed and prints the task instance with its id", async () => {
    await run("assets", "register", "--name", "orders");
    await run("assets", "register", "--name", "report", "--uri", "file:///tmp/report");
    const created = await run(
      "task-instances",
      "create",
      "--dag-id",
      "etl",
      "--run-id",
      "manual__1",
      "--task-id",
      "load",
      "--map-index",
      "2",
      "--inlet",
      "orders",
      "--outlet",
      "report",
      "--outlet",
      "orders",
    );
    expect(created).toMatchObject({ code: 0, stderr: "" });
    const ti = JSON.parse(created.stdout);
    expect(ti.id).toMatch(UUID);
    expect(ti).toMatchObject({
      dag_id: "etl",
      run_id: "manual__1",
      task_id: "load",
      region_id: "00000000-0000-0000-0000-000000000000",
      map_index: 2,
      try_number: 1,
    });
    expect(ti.inlets.map((a: { name: string }) => a.name)).toEqual(["orders"]);
    expect(ti.outlets.map((a: { name: string }) => a.name)).toEqual(["orders", "report"]);
    const stored = await open((db) => getTaskInstance(db, ti.id));
    expect(stored).toMatchObject({ dagId: "etl", mapIndex: 2 });

    const again = await run(
      "task-instances",
      "create",
      "--dag-id",
      "etl",
      "--run-id",
      "manual__1",
      "--task-id",
      "load",
      "--map-index",
      "2",
    );
    expect(again.code).toBe(4);
    expect(again.stderr).toContain("CONFLICT");
    expect(again.stderr).toContain(ti.id);

    const unregistered = await run(
      "task-instances",
      "create",
      "--dag-id",
      "etl",
      "--run-id",
      "manual__2",
      "--task-id",
      "t",
      "--inlet",
      "ghost",
    );
    expect(unregistered.code).toBe(3);
    expect(unregistered.stderr).toContain('"ghost"');
    expect(unregistered.stderr).toContain("ASSET_NOT_FOUND");
    const badIndex = await run(
      "task-instances",
      "create",
      "--dag-id",
      "e",
      "--run-id",
      "r",
      "--task-id",
      "t",
      "--map-index",
      "x",
    );
    expect(badIndex.code).toBe(2);
    expect(badIndex.stderr).toContain("--map-index");
  });

  it("state-store clean sweeps expired task state and deactivated assets' state; --dry-run only counts", async () => {
    await open(async (database) => {
      await migrate(database);
      await createTaskInstance(database, { dagId: "d", runId: "r", taskId: "t" });
      await registerAsset(database, { name: "gone" });
      const backend = new MetastoreBackend({ database });
      const scope = taskScope({ dagId: "d", runId: "r", taskId: "t" });
      const past = new Date(Date.now() - 60_000);
      for (const key of ["a", "b", "c"]) await backend.set(scope, key, "1", { expiresAt: past });
      await backend.set(scope, "live", "1", { expiresAt: null });
      await backend.set({ kind: "asset", name: "gone" }, "wm", "1");
      await deactivateAsset(database, "gone");
    });
    env = { ...env, TIDEMARK__STATE_STORE__STATE_CLEANUP_BATCH_SIZE: "2" };
    // The summary stays the default when piped; --output json gives one object.
    const dryJson = await run("state-store", "clean", "--dry-run", "--output", "json");
    expect(dryJson.code).toBe(0);
    expect(JSON.parse(dryJson.stdout)).toEqual({
      dry_run: true,
      deleted: { task_state_store: 3, asset_state_store: 1 },
      total_deleted: 4,
      duration_ms: expect.any(Number),
    });
    const dry = await run("state-store", "clean", "--dry-run");
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(
      /^Dry run: would delete 4 rows \(task_state_store: 3, asset_state_store: 1\); nothing was deleted/,
    );
    expect(await open((db) => db.db.selectFrom("task_state_store").select("key").execute())).toHaveLength(4);
    const real = await run("state-store", "clean");
    expect(real.code).toBe(0);
    expect(real.stdout).toMatch(
      /^Deleted 4 rows \(task_state_store: 3, asset_state_store: 1\) in \d+ ms\.\n$/,
    );
    expect(await open((db) => db.db.selectFrom("task_state_store").select("key").execute())).toEqual([
      { key: "live" },
    ]);
    expect(await open((db) => db.db.selectFrom("asset_state_store").select("key").execute())).toEqual([]);
  });

  it("a bad database URL is a CONFIG_ERROR on stderr naming the option and the accepted forms", async () => {
    env = cleanEnv({ TIDEMARK__DATABASE__URL: "oracle://localhost/db" });
    for (const args of [
      ["db", "migrate"],
      ["assets", "register", "--name", "x"],
      ["state-store", "clean"],
    ]) {
      const result = await run(...args);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain("CONFIG_ERROR");
      expect(result.stderr).toContain("database.url");
      expect(result.stderr).toContain("sqlite::memory:");
    }
  });

  it("reads tidemark.toml, TIDEMARK_CONFIG and --config, with TIDEMARK__ variables winning", async () => {
    writeFileSync(join(dir.path, "tidemark.toml"), `[database]\nurl = "sqlite:from-toml.db"\n`);
    writeFileSync(join(dir.path, "other.toml"), `[database]\nurl = "sqlite:from-other.db"\n`);
    const base = cleanEnv();
    expect((await runTidemark(["db", "migrate"], { cwd: dir.path, env: base })).stdout).toContain(
      "sqlite:from-toml.db",
    );
    expect(
      (
        await runTidemark(["db", "migrate"], {
          cwd: dir.path,
          env: { ...base, TIDEMARK_CONFIG: "other.toml" },
        })
      ).stdout,
    ).toContain("sqlite:from-other.db");
    expect(
      (await runTidemark(["--config", "other.toml", "db", "migrate"], { cwd: dir.path, env: base })).stdout,
    ).toContain("sqlite:from-other.db");
    expect(
      (
        await runTidemark(["db", "migrate"], {
          cwd: dir.path,
          env: { ...base, TIDEMARK__DATABASE__URL: "sqlite:env.db" },
        })
      ).stdout,
    ).toContain("sqlite:env.db");
  });

  it("two db migrate processes at once on a fresh SQLite file both succeed; one applies the migration", async () => {
    const results = await Promise.all([run("db", "migrate"), run("db", "migrate"), run("db", "migrate")]);
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0, stderr: "" });
    expect(results.filter((r) => r.stdout.startsWith("Applied"))).toHaveLength(1);
  });

  it("upserts of one key from two processes at once raise no unique violation", async () => {
    await open(async (database) => {
      await migrate(database);
      await createTaskInstance(database, { dagId: "dag", runId: "run", taskId: "task" });
      await registerAsset(database, { name: "shared" });
    });
    const worker = join(import.meta.dirname, "support", "upsert-worker.mjs");
    const results = await Promise.all([
      runNode([worker, url, "150"], { cwd: dir.path, env }),
      runNode([worker, url, "150"], { cwd: dir.path, env }),
    ]);
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
    const versions = await open(async (database) => {
      const backend = new MetastoreBackend({ database });
      return [
        (await backend.getEntry(taskScope({ dagId: "dag", runId: "run", taskId: "task" }), "contended"))
          ?.version,
        (await backend.getEntry({ kind: "asset", name: "shared" }, "watermark"))?.version,
      ];
    });
    expect(versions).toEqual([300, 300]);
  });
});

/** The CLI end to end on a server database: concurrent migrations, then registering and cleaning. */
async function cliOnServerDatabase(
  fresh: { url: string | null; database: TidemarkDatabase; dispose(): Promise<void> },
  label: string,
): Promise<void> {
  const dir = tempDir(`tidemark-cli-${label}-`);
  try {
    const env = cleanEnv({ TIDEMARK__DATABASE__URL: fresh.url as string });
    const run = (...args: string[]) => runTidemark(args, { cwd: dir.path, env });
    const migrations = await Promise.all([run("db", "migrate"), run("db", "migrate"), run("db", "migrate")]);
    for (const r of migrations) expect(r, r.stderr).toMatchObject({ code: 0, stderr: "" });
    expect(migrations.filter((r) => r.stdout.startsWith("Applied"))).toHaveLength(1);
    expect((await run("assets", "register", "--name", "orders")).code).toBe(0);
    const tiId = await cliCreateTaskInstance(run, { inlets: ["orders"] });
    expect(await getTaskInstance(fresh.database, tiId)).toMatchObject({
      taskId: "t",
      inlets: [{ name: "orders" }],
    });
    const clean = await run("state-store", "clean");
    expect(clean.stdout).toMatch(/^Deleted 0 rows/);
  } finally {
    dir.remove();
    await fresh.dispose();
  }
}

describe("tidemark CLI (end to end, Postgres)", () => {
  it.skipIf(postgres.kind !== "postgres")(
    `works against a throwaway schema through database.url ?schema=, and concurrent db migrate processes all succeed${postgres.kind === "postgres" ? "" : ` (skipped: ${postgres.fallbackReason}; no URL reaches PGlite)`}`,
    async () => {
      await cliOnServerDatabase(await postgres.freshSchema({ migrate: false }), "pg");
    },
  );
});

describe("tidemark CLI (end to end, MySQL)", () => {
  it.skipIf(mysql.skipReason !== null)(
    `works against a fresh MySQL database, and concurrent db migrate processes all succeed${mysql.skipReason === null ? "" : ` (skipped: ${mysql.skipReason})`}`,
    async () => {
      await cliOnServerDatabase(await mysql.freshDatabase({ migrate: false }), "mysql");
    },
  );
});
