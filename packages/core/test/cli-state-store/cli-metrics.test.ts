import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireBuilt } from "../support/built.js";
import { parsePrometheusText, sampleSum } from "../support/prometheus-text.js";
import { type CliWorkspace, cliWorkspace, ok } from "./support/cli-workspace.js";

const SCOPE = ["--dag-id", "cli_metrics", "--run-id", "r", "--task-id", "t"];

describe("tidemark CLI requests in the api-server's metrics", () => {
  let w: CliWorkspace;
  beforeAll(async () => {
    requireBuilt();
    w = cliWorkspace();
    ok(await w.direct(["task-instances", "create", ...SCOPE]));
  }, 60_000);
  afterAll(() => w.dispose());

  it("counts the state store operations of `--api-url` commands as api=cli, not rest", async () => {
    ok(await w.api(["state-store", "set", ...SCOPE, "k", '{"n": 1}']));
    ok(await w.api(["state-store", "get", ...SCOPE, "k"]));
    const { origin } = await w.server();
    const response = await fetch(`${origin}/metrics`);
    expect(response.status).toBe(200);
    const samples = parsePrometheusText(await response.text());
    const ops = (api: string) =>
      sampleSum(samples, "tidemark_state_store_operations_total", { api, outcome: "ok" });
    expect(ops("cli")).toBeGreaterThanOrEqual(2);
    expect(ops("rest")).toBe(0);
    expect(sampleSum(samples, "tidemark_token_verifications_total", { api: "rest", result: "ok" })).toBe(2);
  }, 60_000);
});
