import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { requireBuilt } from "../support/built.js";
import { type CliRun, type CliWorkspace, cliWorkspace, jsonOf, ok } from "./support/cli-workspace.js";

// Every test starts many CLI processes: generous on a loaded 2-core machine.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });
beforeAll(() => requireBuilt());

const DAY_MS = 86_400_000;

type Entry = {
  key: string;
  value: unknown;
  version: number;
  expires_at: string | null;
  is_reference: boolean;
  last_updated_by?: { kind: string } | null;
};

function failed(run: CliRun, code: string): string {
  if (run.code === 0) throw new Error(`expected a failure ${code}, got exit 0; stdout:\n${run.stdout}`);
  expect(run.stdout).toBe("");
  expect(run.stderr).toMatch(new RegExp(`^error: .*\\[${code}\\]\\n$`, "s"));
  return run.stderr;
}

describe.each(["direct", "api"] as const)("tidemark state-store data commands (%s)", (mode) => {
  let w: CliWorkspace;
  let run: (args: readonly string[], input?: string) => Promise<CliRun>;
  let sequence = 0;

  beforeAll(async () => {
    w = cliWorkspace({ TIDEMARK__STATE_STORE__MAX_VALUE_STORAGE_BYTES: "100" });
    run = mode === "direct" ? w.direct : w.api;
    ok(await w.direct(["assets", "register", "--name", "orders", "--uri", "s3://bucket/orders"]));
    if (mode === "api") await w.server();
  });
  afterAll(() => w.dispose());

  async function task(options: { mapIndex?: number; runId?: string; taskId?: string } = {}) {
    sequence++;
    const runId = options.runId ?? `run_${sequence}`;
    const taskId = options.taskId ?? "extract";
    const args = ["--dag-id", "cli_dag", "--run-id", runId, "--task-id", taskId];
    const scope = options.mapIndex === undefined ? args : [...args, "--map-index", String(options.mapIndex)];
    ok(await w.direct(["task-instances", "create", ...scope]));
    return scope;
  }

  it("set writes a JSON value from the argument or stdin; get and list read it", async () => {
    const scope = await task();
    const before = Date.now();
    const set = jsonOf<Entry>(ok(await run(["state-store", "set", ...scope, "watermark", '{"rows": 3}'])));
    expect(set).toMatchObject({ key: "watermark", value: { rows: 3 }, version: 1, is_reference: false });
    expect(Date.parse(set.expires_at as string)).toBeGreaterThanOrEqual(before + 30 * DAY_MS - 1000);
    const fromStdin = jsonOf<Entry>(
      ok(await run(["state-store", "set", ...scope, "a/b%c"], '"from stdin"\n')),
    );
    expect(fromStdin).toMatchObject({ key: "a/b%c", value: "from stdin" });
    expect(
      jsonOf<Entry>(ok(await run(["state-store", "set", ...scope, "dash", "-"], "[1, 2]"))).value,
    ).toEqual([1, 2]);
    expect(jsonOf<Entry>(ok(await run(["state-store", "get", ...scope, "watermark"])))).toEqual(set);
    const list = jsonOf<{ task_state_store: Entry[]; total_entries: number }>(
      ok(await run(["state-store", "list", ...scope])),
    );
    expect(list.total_entries).toBe(3);
    expect(list.task_state_store.map((e) => e.key)).toEqual(["a/b%c", "dash", "watermark"]);
  });

  it("--retention 7d | never | default, --if-version and --keep-expiry", async () => {
    const scope = await task();
    const before = Date.now();
    const week = jsonOf<Entry>(
      ok(await run(["state-store", "set", ...scope, "k", "1", "--retention", "7d"])),
    );
    const expires = Date.parse(week.expires_at as string);
    expect(expires).toBeGreaterThanOrEqual(before + 7 * DAY_MS);
    expect(expires).toBeLessThanOrEqual(Date.now() + 7 * DAY_MS);
    expect(
      jsonOf<Entry>(ok(await run(["state-store", "set", ...scope, "n", "1", "--retention", "never"])))
        .expires_at,
    ).toBeNull();
    expect(
      jsonOf<Entry>(ok(await run(["state-store", "set", ...scope, "m", "1", "--retention", "30m"])))
        .expires_at,
    ).not.toBeNull();
    failed(await run(["state-store", "set", ...scope, "x", "1", "--retention", "soon"]), "INVALID_VALUE");
    const v2 = jsonOf<Entry>(
      ok(await run(["state-store", "set", ...scope, "k", "2", "--if-version", "1", "--keep-expiry"])),
    );
    expect(v2).toMatchObject({ value: 2, version: 2, expires_at: week.expires_at });
    expect(
      failed(await run(["state-store", "set", ...scope, "k", "3", "--if-version", "1"]), "CONFLICT"),
    ).toContain("version 2");
    failed(await run(["state-store", "set", ...scope, "missing", "3", "--keep-expiry"]), "NOT_FOUND");
    failed(
      await run(["state-store", "set", ...scope, "k", "3", "--keep-expiry", "--retention", "1d"]),
      "INVALID_VALUE",
    );
  });

  it("list pages with --limit/--offset and filters with a literal --prefix; --output table is for people", async () => {
    const scope = await task();
    for (const key of ["p%1", "p_2", "px3", "q"])
      ok(await run(["state-store", "set", ...scope, key, `"${key}"`]));
    const page = jsonOf<{ task_state_store: Entry[]; total_entries: number }>(
      ok(await run(["state-store", "list", ...scope, "--limit", "2", "--offset", "1"])),
    );
    expect(page.task_state_store.map((e) => e.key)).toEqual(["p_2", "px3"]);
    expect(page.total_entries).toBe(4);
    const prefixed = jsonOf<{ task_state_store: Entry[] }>(
      ok(await run(["state-store", "list", ...scope, "--prefix", "p%"])),
    );
    expect(prefixed.task_state_store.map((e) => e.key)).toEqual(["p%1"]);
    const table = ok(await run(["state-store", "list", ...scope, "--output", "table"])).stdout;
    expect(table.split("\n")[0]).toMatch(/^KEY\s+VERSION\s+UPDATED AT\s+EXPIRES AT\s+VALUE$/);
    expect(table).toContain('"p%1"');
    expect(table).toContain("(keys 1-4 of 4)");
    const record = ok(await run(["state-store", "get", ...scope, "q", "-o", "table"])).stdout;
    expect(record).toMatch(/^key:\s+q$/m);
    expect(record).toMatch(/^version:\s+1$/m);
    failed(await run(["state-store", "list", ...scope, "--output", "yaml"]), "INVALID_VALUE");
    failed(await run(["state-store", "list", ...scope, "--limit", "1001"]), "INVALID_VALUE");
  });

  it("delete removes a key; clear needs --yes and takes one map index or all of them", async () => {
    sequence++;
    const runId = `mapped_${sequence}`;
    const m0 = await task({ runId, taskId: "map", mapIndex: 0 });
    const m1 = await task({ runId, taskId: "map", mapIndex: 1 });
    for (const scope of [m0, m1]) {
      ok(await run(["state-store", "set", ...scope, "a", "1"]));
      ok(await run(["state-store", "set", ...scope, "b", "2"]));
    }
    expect(jsonOf(ok(await run(["state-store", "delete", ...m0, "a"])))).toEqual({ key: "a", deleted: true });
    expect(ok(await run(["state-store", "delete", ...m0, "a", "-o", "table"])).stdout).toContain(
      'Deleted key "a"',
    );
    failed(await run(["state-store", "get", ...m0, "a"]), "NOT_FOUND");
    expect(failed(await run(["state-store", "clear", ...m0]), "INVALID_VALUE")).toContain("--yes");
    ok(await run(["state-store", "clear", ...m0, "--yes"]));
    expect(
      jsonOf<{ total_entries: number }>(ok(await run(["state-store", "list", ...m0]))).total_entries,
    ).toBe(0);
    expect(
      jsonOf<{ total_entries: number }>(ok(await run(["state-store", "list", ...m1]))).total_entries,
    ).toBe(2);
    ok(await run(["state-store", "set", ...m0, "c", "3"]));
    const all = ["--dag-id", "cli_dag", "--run-id", runId, "--task-id", "map", "--all-map-indices"];
    ok(await run(["state-store", "clear", ...all, "--yes"]));
    for (const scope of [m0, m1]) {
      expect(
        jsonOf<{ total_entries: number }>(ok(await run(["state-store", "list", ...scope]))).total_entries,
      ).toBe(0);
    }
  });

  it("asset state by --asset-name or --asset-uri records the writer api; --retention does not apply", async () => {
    const set = jsonOf<Entry>(
      ok(await run(["state-store", "set", "--asset-name", "orders", `wm_${mode}`, '"2026-01-01"'])),
    );
    expect(set).toMatchObject({ value: "2026-01-01", expires_at: null, last_updated_by: { kind: "api" } });
    const get = jsonOf<Entry>(
      ok(await run(["state-store", "get", "--asset-uri", "s3://bucket/orders", `wm_${mode}`])),
    );
    expect(get).toEqual(set);
    const list = jsonOf<{ asset_state_store: Entry[] }>(
      ok(await run(["state-store", "list", "--asset-name", "orders"])),
    );
    expect(list.asset_state_store.map((e) => e.key)).toContain(`wm_${mode}`);
    failed(
      await run(["state-store", "set", "--asset-name", "orders", "k", "1", "--retention", "7d"]),
      "INVALID_VALUE",
    );
    failed(await run(["state-store", "get", "--asset-name", "nope", "k"]), "ASSET_NOT_FOUND");
    failed(await run(["state-store", "get", "--asset-uri", "s3://nope", "k"]), "ASSET_NOT_FOUND");
    ok(await run(["state-store", "delete", "--asset-name", "orders", `wm_${mode}`]));
    failed(await run(["state-store", "get", "--asset-name", "orders", `wm_${mode}`]), "NOT_FOUND");
  });

  it("bad input fails on stderr with a non-zero exit, naming what is wrong, and writes nothing", async () => {
    const scope = await task();
    expect(failed(await run(["state-store", "set", ...scope, "k", "not json"]), "INVALID_VALUE")).toContain(
      "not JSON",
    );
    expect(failed(await run(["state-store", "set", ...scope, "k", "null"]), "INVALID_VALUE")).toContain(
      "null",
    );
    expect(failed(await run(["state-store", "set", ...scope, "k"], ""), "INVALID_VALUE")).toContain("empty");
    expect(
      failed(
        await run(["state-store", "set", ...scope, "k", JSON.stringify("x".repeat(200))]),
        "VALUE_TOO_LARGE",
      ),
    ).toContain("max_value_storage_bytes");
    failed(await run(["state-store", "set", ...scope, "x".repeat(513), "1"]), "INVALID_KEY");
    const wrongTask = ["--dag-id", "cli_dag", "--run-id", "no_such_run", "--task-id", "extract"];
    failed(await run(["state-store", "list", ...wrongTask]), "DAG_RUN_NOT_FOUND");
    failed(await run(["state-store", "delete", ...wrongTask, "k"]), "DAG_RUN_NOT_FOUND");
    failed(
      await run(["state-store", "get", ...scope.slice(0, 4), "--task-id", "nope", "k"]),
      "TASK_INSTANCE_NOT_FOUND",
    );
    expect(failed(await run(["state-store", "list", "--dag-id", "d"]), "INVALID_SCOPE")).toContain(
      "--run-id, --task-id",
    );
    failed(await run(["state-store", "list", ...scope, "--asset-name", "orders"]), "INVALID_SCOPE");
    failed(await run(["state-store", "list", "--asset-name", "a", "--asset-uri", "u"]), "INVALID_SCOPE");
    failed(await run(["state-store", "list", ...scope, "--map-index", "-2"]), "INVALID_SCOPE");
    failed(await run(["state-store", "list"]), "INVALID_SCOPE");
    expect(
      jsonOf<{ total_entries: number }>(ok(await run(["state-store", "list", ...scope]))).total_entries,
    ).toBe(0);
  });
});

describe("tidemark state-store through --api-url: server problems", () => {
  let w: CliWorkspace;
  beforeAll(() => {
    w = cliWorkspace();
  });
  afterAll(() => w.dispose());

  it("names a wrong token, an unreachable server and a URL that is not the api-server", async () => {
    const { origin } = await w.server();
    const args = ["state-store", "list", "--asset-name", "x"];
    const wrongToken = await w.direct([...args, "--api-url", origin, "--token", "wrong"]);
    expect(failed(wrongToken, "UNAUTHORIZED")).toContain("--token or TIDEMARK_API_TOKEN");
    expect(failed(await w.direct([...args, "--api-url", origin]), "UNAUTHORIZED")).toContain("Authorization");
    const unreachable = await w.direct([...args, "--api-url", "http://127.0.0.1:9", "--token", "t"]);
    expect(failed(unreachable, "BACKEND_UNAVAILABLE")).toContain("cannot reach the Tidemark api-server");
    const wrongPath = await w.direct([...args, "--api-url", `${origin}/execution`, "--token", "t"]);
    expect(failed(wrongPath, "CONFIG_ERROR")).toContain("check --api-url");
    failed(await w.direct([...args, "--api-url", "ftp://x", "--token", "t"]), "CONFIG_ERROR");
    failed(await w.direct([...args, "--token", "t"]), "INVALID_VALUE");
    // $TIDEMARK_API_URL and $TIDEMARK_API_TOKEN stand in for the flags.
    ok(await w.direct(["assets", "register", "--name", "x"]));
    const viaEnv = await import("./support/cli-workspace.js").then(({ runCli }) =>
      runCli(args, {
        cwd: w.dir,
        env: { ...w.env, TIDEMARK_API_URL: `${origin}/api/v2/`, TIDEMARK_API_TOKEN: "cli-test-token" },
      }),
    );
    expect(jsonOf(ok(viaEnv))).toEqual({ asset_state_store: [], total_entries: 0 });
  });

  it("--help lists every state-store command, and clean is still there", async () => {
    const help = ok(await w.direct(["state-store", "--help"])).stdout;
    for (const command of ["clean", "list", "get", "set", "delete", "clear", "export", "import"]) {
      expect(help).toMatch(new RegExp(`^\\s+${command}\\b`, "m"));
    }
    expect(ok(await w.direct(["state-store", "clean", "--dry-run"])).stdout).toContain("Dry run");
  });
});
