import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { requireBuilt } from "../support/built.js";
import { type CliRun, type CliWorkspace, cliWorkspace, ok, runCli } from "./support/cli-workspace.js";

vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });
beforeAll(() => requireBuilt());

/** A local port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function exited(run: CliRun, code: number, errorCode?: string): string {
  expect(run.code, `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toBe(code);
  expect(run.stdout).toBe("");
  if (errorCode !== undefined) expect(run.stderr).toContain(`[${errorCode}]`);
  return run.stderr;
}

const SCOPE = ["--dag-id", "codes", "--run-id", "r", "--task-id", "t"];

describe("tidemark exit codes", () => {
  let w: CliWorkspace;
  beforeAll(async () => {
    w = cliWorkspace();
    ok(await w.direct(["task-instances", "create", ...SCOPE]));
    ok(await w.direct(["state-store", "set", ...SCOPE, "k", "1"]));
    await w.server();
  });
  afterAll(() => w.dispose());

  it("--help documents the table", async () => {
    const help = ok(await w.direct(["--help"])).stdout;
    expect(help).toContain("Exit codes:");
    for (const line of [
      "0  success",
      "1  other error",
      "2  usage",
      "3  not found",
      "4  conflict",
      "5  unavailable",
    ]) {
      expect(help).toContain(line);
    }
  });

  it("2 for usage: an unknown command or option, a missing option, a bad option value or input", async () => {
    expect(exited(await w.direct(["nope"]), 2)).toContain("unknown command 'nope'");
    expect(exited(await w.direct(["state-store", "list", ...SCOPE, "--bogus"]), 2)).toContain(
      "unknown option '--bogus'",
    );
    expect(exited(await w.direct(["dag-runs", "list"]), 2)).toContain("--dag-id");
    for (const run of [w.direct, w.api]) {
      exited(await run(["state-store", "list", ...SCOPE, "--output", "yaml"]), 2, "INVALID_VALUE");
      exited(await run(["state-store", "set", ...SCOPE, "k", "not json"]), 2, "INVALID_VALUE");
      exited(await run(["state-store", "list", "--dag-id", "codes"]), 2, "INVALID_SCOPE");
    }
    // The server refuses the value (HTTP 422), which maps to usage as well.
    exited(
      await w.api(["state-store", "set", ...SCOPE, "k", JSON.stringify({ __airflow_state_ref__: "s3://x" })]),
      2,
      "INVALID_VALUE",
    );
    expect(exited(await w.direct(["state-store", "list", ...SCOPE, "--token", "t"]), 2)).toContain(
      "--token is only used with --api-url",
    );
  });

  it("3 for not found: a key, a task instance, a dag run, an asset", async () => {
    for (const run of [w.direct, w.api]) {
      exited(await run(["state-store", "get", ...SCOPE, "missing"]), 3, "NOT_FOUND");
      exited(
        await run(["state-store", "get", "--dag-id", "codes", "--run-id", "r", "--task-id", "x", "k"]),
        3,
        "TASK_INSTANCE_NOT_FOUND",
      );
      exited(
        await run(["state-store", "list", "--dag-id", "codes", "--run-id", "nope", "--task-id", "t"]),
        3,
        "DAG_RUN_NOT_FOUND",
      );
      exited(await run(["state-store", "list", "--asset-name", "nope"]), 3, "ASSET_NOT_FOUND");
    }
    exited(await w.direct(["assets", "deactivate", "--name", "nope"]), 3, "ASSET_NOT_FOUND");
  });

  it("4 for conflict: a failed --if-version, a task instance that exists already", async () => {
    for (const run of [w.direct, w.api]) {
      exited(await run(["state-store", "set", ...SCOPE, "k", "2", "--if-version", "99"]), 4, "CONFLICT");
    }
    exited(await w.direct(["task-instances", "create", ...SCOPE]), 4, "CONFLICT");
  });

  it("5 for unavailable: an api-server or database that cannot be reached", async () => {
    const port = await closedPort();
    expect(
      exited(
        await w.direct(["state-store", "list", ...SCOPE, "--api-url", `http://127.0.0.1:${port}`]),
        5,
        "BACKEND_UNAVAILABLE",
      ),
    ).toContain("cannot reach the Tidemark api-server");
    const unreachable = await runCli(["dags", "list"], {
      cwd: w.dir,
      env: { ...w.env, TIDEMARK__DATABASE__URL: `postgres://127.0.0.1:${port}/test` },
    });
    exited(unreachable, 5);
  });

  it("1 for anything else: a token the server does not accept", async () => {
    const { origin } = await w.server();
    exited(
      await w.direct(["state-store", "list", ...SCOPE, "--api-url", origin, "--token", "wrong"]),
      1,
      "UNAUTHORIZED",
    );
  });
});
