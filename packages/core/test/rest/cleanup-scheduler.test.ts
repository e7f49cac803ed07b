import { Writable } from "node:stream";
import { loadConfig } from "@tidemark/config";
import { type CleanupOptions, type CleanupReport, StateStoreError, taskScope } from "@tidemark/state";
import { tempDir } from "@tidemark/testkit/temp-dir";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiServer } from "../../src/api/create-api-server.js";
import { cleanupLockFor, processLocalCleanupLock } from "../../src/cleanup-scheduler/cleanup-lock.js";
import { CleanupScheduler } from "../../src/cleanup-scheduler/cleanup-scheduler.js";
import { createDatabase } from "../../src/database/create-database.js";
import type { TidemarkDatabase } from "../../src/database/tidemark-database.js";
import { createTaskInstance } from "../../src/metadata/task-instances.js";
import { MetastoreBackend } from "../../src/metastore/metastore-backend.js";
import { migrate } from "../../src/migrations/migrate.js";
import { connectTestMysql, type TestMysql } from "../support/mysql.js";
import { connectTestPostgres, type TestPostgres } from "../support/postgres.js";

/** A real pino logger writing JSON lines into an array. */
function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n")) if (line.trim() !== "") lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: "info" }, stream), lines };
}

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Seeds one expired and one live task state key. */
async function seedExpired(
  database: TidemarkDatabase,
  backend: MetastoreBackend,
  runId: string,
): Promise<void> {
  await createTaskInstance(database, { dagId: "gc", runId, taskId: "t" });
  const scope = taskScope({ dagId: "gc", runId, taskId: "t" });
  await backend.set(scope, "expired", "1", { expiresAt: new Date(Date.now() - 1000) });
  await backend.set(scope, "live", "2", { expiresAt: null });
}

/** Fault injection: a backend whose sweep fails, as a database outage would make it. */
class FailingBackend extends MetastoreBackend {
  failures = 0;
  override async cleanup(): Promise<CleanupReport> {
    this.failures++;
    throw new StateStoreError("BACKEND_UNAVAILABLE", "the database went away (injected)");
  }
}

/** A slow sweep: cleanup waits until the test releases it, so another server's sweep can overlap it. */
class GatedBackend extends MetastoreBackend {
  entered!: () => void;
  readonly inside = new Promise<void>((resolve) => {
    this.entered = resolve;
  });
  release!: () => void;
  readonly gate = new Promise<void>((resolve) => {
    this.release = resolve;
  });
  override async cleanup(options?: CleanupOptions): Promise<CleanupReport> {
    this.entered();
    await this.gate;
    return super.cleanup(options);
  }
}

describe("CleanupScheduler (SQLite)", () => {
  const dir = tempDir("tidemark-gc-");
  let database: TidemarkDatabase;
  let backend: MetastoreBackend;
  beforeAll(async () => {
    database = createDatabase(`sqlite:///${dir.path}/t.db`);
    await migrate(database);
    backend = new MetastoreBackend({ database });
  });
  afterAll(async () => {
    await database.close();
    dir.remove();
  });

  it("runOnce sweeps expired keys and logs rows deleted per table and the duration", async () => {
    await seedExpired(database, backend, "once");
    const { logger, lines } = captureLogger();
    const scheduler = new CleanupScheduler({
      backend,
      database,
      lock: cleanupLockFor(database),
      intervalMs: 0,
      logger,
    });
    const result = await scheduler.runOnce();
    expect(result).toMatchObject({
      status: "swept",
      report: { deleted: { task_state_store: 1, asset_state_store: 0 } },
    });
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: "state store cleanup deleted 1 rows",
        deleted: { task_state_store: 1, asset_state_store: 0 },
        rows: 1,
        duration_ms: expect.any(Number),
        backend: "MetastoreBackend",
      }),
    );
    expect(await backend.get(taskScope({ dagId: "gc", runId: "once", taskId: "t" }), "live")).toBe("2");
  });

  it("start() sweeps on the interval until stop(); 0 turns the schedule off", async () => {
    await seedExpired(database, backend, "timer");
    const { logger, lines } = captureLogger();
    const sweeps = () => lines.filter((l) => String(l.msg).startsWith("state store cleanup deleted")).length;
    const scheduler = new CleanupScheduler({
      backend,
      database,
      lock: cleanupLockFor(database),
      intervalMs: 20,
      initialDelayMs: 0,
      logger,
    });
    expect(scheduler.enabled).toBe(true);
    scheduler.start();
    await until(() => sweeps() >= 3, "three scheduled sweeps");
    await scheduler.stop();
    expect(lines[0]).toMatchObject({ msg: "scheduled state store cleanup is on", interval_seconds: 0.02 });
    expect(lines.find((l) => l.rows === 1)).toBeDefined();

    const off = captureLogger();
    const disabled = new CleanupScheduler({
      backend,
      database,
      lock: cleanupLockFor(database),
      intervalMs: 0,
      logger: off.logger,
    });
    disabled.start();
    await disabled.stop();
    expect(disabled.enabled).toBe(false);
    expect(off.lines.map((l) => l.msg)).toEqual([
      "scheduled state store cleanup is off (state_store.cleanup_interval_seconds = 0)",
    ]);
  });

  it("a failed sweep is logged and the schedule goes on", async () => {
    const failing = new FailingBackend({ database });
    const { logger, lines } = captureLogger();
    const scheduler = new CleanupScheduler({
      backend: failing,
      database,
      lock: cleanupLockFor(database),
      intervalMs: 10,
      initialDelayMs: 0,
      logger,
    });
    scheduler.start();
    await until(() => failing.failures >= 2, "a second sweep after a failure");
    await scheduler.stop();
    const failed = lines.filter((l) => l.msg === "state store cleanup failed; the next sweep will try again");
    expect(failed.length).toBeGreaterThanOrEqual(2);
    expect(failed[0]).toMatchObject({
      level: 50,
      err: expect.objectContaining({ message: expect.stringContaining("injected") }),
    });
    expect(await scheduler.runOnce()).toMatchObject({ status: "failed" });
  });

  it("overlapping calls in one process share one sweep; a lock held elsewhere skips the sweep", async () => {
    const gated = new GatedBackend({ database });
    const lock = processLocalCleanupLock();
    const { logger, lines } = captureLogger();
    const first = new CleanupScheduler({ backend: gated, database, lock, intervalMs: 0, logger });
    const second = new CleanupScheduler({ backend: gated, database, lock, intervalMs: 0, logger });
    const a = first.runOnce();
    const b = first.runOnce();
    await gated.inside;
    expect(await second.runOnce()).toMatchObject({
      status: "skipped",
      reason: expect.stringContaining("cleanup lock"),
    });
    gated.release();
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra).toBe(rb);
    expect(ra.status).toBe("swept");
    expect(lines.some((l) => String(l.msg).startsWith("state store cleanup skipped"))).toBe(true);
  });
});

/** Two servers' handles on one fresh database: the first, a second pool of its own, and its URL. */
interface SharedDatabase {
  readonly database: TidemarkDatabase;
  readonly other: TidemarkDatabase;
  readonly url: string;
  dispose(): Promise<void>;
}

/** Runs a sweep on one server while it is held inside its lock, and a sweep on the other at that moment. */
async function expectOneSweeperAtATime(shared: SharedDatabase, label: string): Promise<void> {
  const cwd = tempDir(`tidemark-gc-${label}-`);
  try {
    const config = loadConfig({ cwd: cwd.path, env: {}, overrides: { database: { url: shared.url } } });
    const gated = new GatedBackend({ database: shared.database });
    await seedExpired(shared.database, gated, label);
    const logA = captureLogger();
    const logB = captureLogger();
    const serverA = await createApiServer({
      config,
      cwd: cwd.path,
      database: shared.database,
      backend: gated,
      logger: logA.logger,
    });
    const serverB = await createApiServer({
      config,
      cwd: cwd.path,
      database: shared.other,
      logger: logB.logger,
    });
    try {
      const sweepA = serverA.cleanupScheduler.runOnce();
      await gated.inside;
      // A holds the lock (on its own pooled connection) while it sweeps: B skips.
      expect(await serverB.cleanupScheduler.runOnce()).toMatchObject({ status: "skipped" });
      expect(logB.lines).toContainEqual(
        expect.objectContaining({
          msg: expect.stringMatching(/^state store cleanup skipped: another server holds the cleanup lock/),
        }),
      );
      gated.release();
      expect(await sweepA).toMatchObject({ status: "swept", report: { deleted: { task_state_store: 1 } } });
      // The lock is released with the sweep: B's next sweep runs (and finds nothing left).
      expect(await serverB.cleanupScheduler.runOnce()).toMatchObject({
        status: "swept",
        report: { deleted: { task_state_store: 0, asset_state_store: 0 } },
      });
    } finally {
      await serverA.close();
      await serverB.close();
    }
  } finally {
    await shared.other.close();
    await shared.dispose();
    cwd.remove();
  }
}

describe("scheduled cleanup of two api-servers on one Postgres schema", () => {
  let postgres: TestPostgres;
  beforeAll(async () => {
    postgres = await connectTestPostgres();
  });
  afterAll(() => postgres.close());

  it("never sweeps on both at once: the server without the advisory lock skips and logs so", async (ctx) => {
    if (postgres.kind !== "postgres") {
      // PGlite has one in-process connection: no second server, no session-level lock between servers.
      ctx.skip(`requires a real Postgres server (${postgres.fallbackReason})`);
      return;
    }
    const schema = await postgres.freshSchema();
    const other = postgres.openSchema(schema.schema);
    expect(cleanupLockFor(other).description).toContain(schema.schema);
    await expectOneSweeperAtATime(
      {
        database: schema.database,
        other,
        url: schema.url as string,
        dispose: () => schema.dispose(),
      },
      "pg",
    );
  });
});

describe("scheduled cleanup of two api-servers on one MySQL database", () => {
  let mysql: TestMysql;
  beforeAll(async () => {
    mysql = await connectTestMysql();
  });
  afterAll(() => mysql.close());

  it("never sweeps on both at once: the server without the GET_LOCK named lock skips and logs so", async (ctx) => {
    if (mysql.skipReason !== null) ctx.skip(mysql.skipReason);
    const fresh = await mysql.freshDatabase();
    const other = mysql.openDatabase(fresh.name);
    expect(cleanupLockFor(other)).toMatchObject({
      shared: true,
      description: expect.stringContaining("mysql"),
    });
    await expectOneSweeperAtATime(
      { database: fresh.database, other, url: fresh.url, dispose: () => fresh.dispose() },
      "mysql",
    );
  });
});
