// End to end through the repository root's scripts, as a user types them: `pnpm demo …` keeps the user's
// TIDEMARK_* variables and arguments (both `pnpm demo --days 2` and `pnpm demo -- --days 2`), and
// `pnpm demo --serve` keeps an api-server with the UI up until SIGTERM.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";
import { createDatabase } from "@tidemark/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flightsTruth } from "./support/flights-truth.js";
import { runRootScript, startRootScript } from "./support/root-script.js";
import { type DemoReportJson, demoEnvironment } from "./support/run-demo.js";

const DAYS = 2;
// pnpm, a turbo build check, the demo and its api-server child, on a loaded 2-core machine.
const RUN_TIMEOUT_MS = 300_000;

/** The dag runs of flights_daily in a metastore. */
async function dagRuns(url: string): Promise<string[]> {
  const database = createDatabase(url);
  try {
    const rows = await database.db
      .selectFrom("dag_run")
      .select("run_id")
      .where("dag_id", "=", "flights_daily")
      .orderBy("run_id")
      .execute();
    return rows.map((r) => r.run_id);
  } finally {
    await database.close();
  }
}

/** Every file under `dir`, relative, sorted. */
function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import("node:fs").Dirent[])
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describe("pnpm demo through the root script", () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let databaseUrl: string;
  let objects: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "tidemark-root-demo-"));
    databaseUrl = `sqlite:${join(dir, "demo.db")}`;
    objects = join(dir, "objects");
    env = demoEnvironment({
      TIDEMARK__DATABASE__URL: databaseUrl,
      TIDEMARK__COMMON_IO__STATE_STORE_OBJECTSTORAGE_PATH: `${pathToFileURL(objects).href}/`,
      // Signs the tokens without a key file in the demo's folder.
      TIDEMARK__API__SECRET_KEY: "root-script-e2e-secret-key-0123456789abcdef",
    });
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    "takes TIDEMARK__ variables and arguments as typed, in both forms, without turbo's output",
    async () => {
      const truth = flightsTruth(DAYS);
      const reportFile = join(dir, "first.json");
      const warehouse = join(dir, "warehouse.db");
      const first = await runRootScript(
        "demo",
        ["--days", String(DAYS), "--fail-once", "--warehouse", warehouse, "--report-json", reportFile],
        env,
      );
      expect(first.code, `${first.stdout}\n${first.stderr}`).toBe(0);
      // The variables reached the demo: the metastore and the objects are where they say.
      expect(first.stdout).toContain(`metastore  ${databaseUrl}`);
      expect(first.stdout).toContain(`objects    ${pathToFileURL(objects).href}/`);
      expect(existsSync(join(dir, "demo.db"))).toBe(true);
      expect(await dagRuns(databaseUrl)).toEqual([
        "scheduled__2001-01-01T00:00:00+00:00",
        "scheduled__2001-01-02T00:00:00+00:00",
      ]);
      expect(filesUnder(objects)).toEqual([join("assets", "flights", "airport_stats.gz")]);
      const stats = JSON.parse(
        gunzipSync(readFileSync(join(objects, "assets", "flights", "airport_stats.gz"))).toString("utf8"),
      ) as { flights: number };
      expect(stats.flights).toBe(truth.count);
      const report = JSON.parse(readFileSync(reportFile, "utf8")) as DemoReportJson;
      expect(report.ok).toBe(true);
      expect(report.ingested.thisInvocation).toBe(truth.count);
      // The demo's own lines only: no turbo summary, and the pointer to the UI at the end.
      expect(first.stdout).not.toMatch(/Tasks:|cache (hit|miss)|turbo/i);
      expect(first.stdout.trimEnd().split("\n").at(-1)).toContain("pnpm demo --serve");

      const second = await runRootScript(
        "demo",
        ["--", "--days", String(DAYS), "--warehouse", warehouse],
        env,
      );
      expect(second.code, `${second.stdout}\n${second.stderr}`).toBe(0);
      expect(second.stdout).toContain("0 this invocation (nothing new after the watermark)");
      expect(second.stdout).toContain("All ");

      const help = await runRootScript("demo", ["--help"], env);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain("Usage: pnpm demo [options]");
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "pnpm tidemark reaches the CLI and reads the demo's state",
    async () => {
      const listed = await runRootScript(
        "tidemark",
        ["state-store", "list", "--asset-name", "flights", "--output", "json"],
        env,
      );
      expect(listed.code, `${listed.stdout}\n${listed.stderr}`).toBe(0);
      expect(listed.stdout).toContain("watermark");
      expect(listed.stdout).toContain("airport_stats");
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "pnpm demo --serve serves the REST API without a token and the UI, and stops cleanly on SIGTERM",
    async () => {
      const served = startRootScript(
        "demo",
        ["--serve", "--days", "1", "--warehouse", join(dir, "warehouse.db")],
        env,
      );
      try {
        const url = await new Promise<string>((resolve, reject) => {
          const timer = setInterval(() => {
            const match = /^ {2}UI {8}(http:\/\/127\.0\.0\.1:\d+)\/ui\/$/m.exec(served.stdout());
            if (match?.[1] !== undefined) {
              clearInterval(timer);
              resolve(match[1]);
            }
          }, 100);
          served.closed.then(({ code }) => {
            clearInterval(timer);
            reject(
              new Error(
                `pnpm demo --serve exited (${code}) before serving:\n${served.stdout()}\n${served.stderr()}`,
              ),
            );
          }, reject);
        });
        expect(served.stdout()).toContain("anyone on this machine can read and write state; Ctrl-C to stop");

        const assets = await fetch(`${url}/api/v2/assets`);
        expect(assets.status).toBe(200);
        const body = (await assets.json()) as { assets: { name: string; state_key_count: number }[] };
        expect(body.assets.find((a) => a.name === "flights")?.state_key_count).toBe(3);

        // The task state the UI shows: each delay report kept its job_id.
        const run = encodeURIComponent("scheduled__2001-01-01T00:00:00+00:00");
        const taskState = await fetch(
          `${url}/api/v2/dags/flights_daily/dagRuns/${run}/taskInstances/delay_report/state-store`,
        );
        expect(taskState.status).toBe(200);
        expect(JSON.stringify(await taskState.json())).toMatch(/"key":"job_id","value":"delay-report-/);

        // The CLI line of the banner works as printed, without a token.
        const cli = /^ {2}CLI {7}pnpm tidemark (.+)$/m.exec(served.stdout())?.[1];
        expect(cli).toBe(`state-store list --api-url ${url} --asset-name flights`);
        const listed = await runRootScript("tidemark", (cli as string).split(" "), env);
        expect(listed.code, `${listed.stdout}\n${listed.stderr}`).toBe(0);
        expect(listed.stdout).toContain("airport_stats");

        const ui = await fetch(`${url}/ui/`);
        expect(ui.status).toBe(200);
        expect(ui.headers.get("content-type")).toMatch(/text\/html/);
        await ui.body?.cancel();
      } finally {
        served.child.kill("SIGTERM");
      }
      const { code, signal } = await served.closed;
      expect({ code, signal }, `${served.stdout()}\n${served.stderr()}`).toEqual({ code: 0, signal: null });
      expect(served.stdout()).toContain("stopped");
    },
    RUN_TIMEOUT_MS,
  );
});
