// End to end with the built demo: each metastore gets its own objects folder (two databases in one working
// directory no longer overwrite each other's airport_stats), and a task state key an operator adds by hand
// does not fail the demo's own task state check, with or without clear_on_success.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { createDatabase } from "@tidemark/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tidemarkBin } from "../src/api-server-process.js";
import { flightsTruth } from "./support/flights-truth.js";
import { type DemoRun, demoEnvironment, runDemo } from "./support/run-demo.js";

const RUN_TIMEOUT_MS = 300_000;
const OTHER_DB = "sqlite:.tidemark/other.db";

/** The object reference in the airport_stats row of a metastore. */
async function airportStatsRef(url: string, cwd: string): Promise<string> {
  const database = createDatabase(url, { cwd });
  try {
    const row = await database.db
      .selectFrom("asset_state_store")
      .innerJoin("asset", "asset.id", "asset_state_store.asset_id")
      .select("asset_state_store.value as value")
      .where("asset.name", "=", "flights")
      .where("asset_state_store.key", "=", "airport_stats")
      .executeTakeFirstOrThrow();
    return (JSON.parse(row.value) as { __airflow_state_ref__: string }).__airflow_state_ref__;
  } finally {
    await database.close();
  }
}

function flightsIn(ref: string): number {
  return (JSON.parse(gunzipSync(readFileSync(fileURLToPath(ref))).toString("utf8")) as { flights: number })
    .flights;
}

function expectOk(run: DemoRun): void {
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
  expect(run.report?.checks.filter((c) => !c.ok)).toEqual([]);
}

/** Runs the tidemark CLI in `cwd` and returns its exit code and output. */
function tidemark(
  cwd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tidemarkBin(), ...args], { cwd, env, stdio: "pipe" });
    let output = "";
    child.stdout.on("data", (c: Buffer) => {
      output += c.toString("utf8");
    });
    child.stderr.on("data", (c: Buffer) => {
      output += c.toString("utf8");
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, output }));
  });
}

describe("the demo's state per metastore", () => {
  let cwd: string;

  beforeAll(() => {
    cwd = mkdtempSync(join(tmpdir(), "tidemark-example-isolation-"));
  });
  afterAll(() => {
    rmSync(cwd, { recursive: true, force: true });
  });

  it(
    "keeps the objects of two databases in two folders, so neither overwrites the other's airport_stats",
    async () => {
      const env = demoEnvironment();
      const otherEnv = demoEnvironment({ TIDEMARK__DATABASE__URL: OTHER_DB });
      expectOk(await runDemo(cwd, ["--days", "2"], env));
      expectOk(await runDemo(cwd, ["--days", "1"], otherEnv));

      const first = await airportStatsRef("sqlite:.tidemark/tidemark.db", cwd);
      const other = await airportStatsRef(OTHER_DB, cwd);
      expect(dirname(dirname(dirname(first)))).not.toBe(dirname(dirname(dirname(other))));
      expect(flightsIn(first)).toBe(flightsTruth(2).count);
      expect(flightsIn(other)).toBe(flightsTruth(1).count);

      // Each database still verifies against its own objects.
      expectOk(await runDemo(cwd, ["--days", "2"], env));
      expectOk(await runDemo(cwd, ["--days", "1"], otherEnv));
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "ignores a task state key added by hand, with clear_on_success and without",
    async () => {
      const env = demoEnvironment();
      const set = await tidemark(
        cwd,
        [
          "state-store",
          "set",
          "--dag-id",
          "flights_daily",
          "--run-id",
          "scheduled__2001-01-01T00:00:00+00:00",
          "--task-id",
          "delay_report",
          "operator_note",
          '"checked by hand"',
        ],
        env,
      );
      expect(set.code, set.output).toBe(0);

      // Day 3 runs on a server that clears task state on success; the hand-made key stays and is let be.
      const cleared = await runDemo(
        cwd,
        ["--days", "3"],
        demoEnvironment({ TIDEMARK__STATE_STORE__CLEAR_ON_SUCCESS: "true" }),
      );
      expectOk(cleared);
      const check = cleared.report?.checks.find((c) => c.name === "clear_on_success");
      expect(check?.detail).toContain("1 other task state key(s), not the demo's, left alone");
      // (The catch-up runs of the first test kept their job_id too.)
      const scheduled = cleared.report?.state.taskKeys.filter((k) => k.runId.startsWith("scheduled__"));
      expect(scheduled?.map((k) => `${k.runId} ${k.key}`).sort()).toEqual([
        "scheduled__2001-01-01T00:00:00+00:00 job_id",
        "scheduled__2001-01-01T00:00:00+00:00 operator_note",
        "scheduled__2001-01-02T00:00:00+00:00 job_id",
      ]);

      // Back to the demo's default: the catch-up run keeps its job_id, the hand-made key is still there.
      const kept = await runDemo(cwd, ["--days", "3"], env);
      expectOk(kept);
      expect(kept.report?.checks.find((c) => c.name === "delay_report task state")?.detail).toContain(
        "1 other task state key(s)",
      );
      expect(kept.report?.state.taskKeys.filter((k) => k.key === "operator_note")).toEqual([
        {
          runId: "scheduled__2001-01-01T00:00:00+00:00",
          taskId: "delay_report",
          mapIndex: -1,
          key: "operator_note",
          value: "checked by hand",
        },
      ]);
    },
    RUN_TIMEOUT_MS,
  );
});
