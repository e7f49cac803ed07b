import { PassThrough } from "node:stream";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { runCli as runInProcess } from "../../src/cli/run-cli.js";
import { requireBuilt } from "../support/built.js";
import { type CliWorkspace, cliWorkspace, jsonOf, ok } from "./support/cli-workspace.js";

vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });
beforeAll(() => requireBuilt());

const SCOPE = ["--dag-id", "flights_daily", "--run-id", "r1", "--task-id", "ingest"];
const WHAT = 'task instance dag_id="flights_daily" run_id="r1" task_id="ingest" map_index=-1';

describe("tidemark state-store clear confirms with the count", () => {
  let w: CliWorkspace;
  const keyCount = async () =>
    jsonOf<{ total_entries: number }>(ok(await w.direct(["state-store", "list", ...SCOPE]))).total_entries;

  beforeAll(async () => {
    w = cliWorkspace();
    ok(await w.direct(["task-instances", "create", ...SCOPE]));
  });
  afterAll(() => w.dispose());
  beforeEach(async () => {
    for (const key of ["a", "b", "c"]) ok(await w.direct(["state-store", "set", ...SCOPE, key, "1"]));
  });

  it.each(["direct", "api"] as const)(
    "without a terminal it refuses without --yes, naming the count and --yes, and deletes nothing (%s)",
    async (mode) => {
      const run = mode === "direct" ? w.direct : w.api;
      const refused = await run(["state-store", "clear", ...SCOPE]);
      expect(refused.code).toBe(2);
      expect(refused.stdout).toBe("");
      expect(refused.stderr).toBe(
        `error: refusing to delete 3 keys of ${WHAT} without --yes: stdin is not a terminal, so nobody can confirm; pass --yes to delete them [INVALID_VALUE]\n`,
      );
      expect(await keyCount()).toBe(3);
      const cleared = ok(await run(["state-store", "clear", ...SCOPE, "--yes", "-o", "table"]));
      expect(cleared.stdout).toBe(`Cleared 3 keys of ${WHAT}.\n`);
      expect(await keyCount()).toBe(0);
      // Nothing to delete: no confirmation needed, and the output says so.
      expect(ok(await run(["state-store", "clear", ...SCOPE, "-o", "table"])).stdout).toBe(
        `No state keys in ${WHAT}; nothing to clear.\n`,
      );
      expect(jsonOf(ok(await run(["state-store", "clear", ...SCOPE])))).toEqual({
        cleared: true,
        deleted_keys: 0,
      });
    },
  );

  it("asks the count on a terminal: y clears, anything else aborts with exit 1 and writes nothing", async () => {
    const saved = { env: { ...process.env }, exitCode: process.exitCode };
    Object.assign(process.env, w.env);
    const cwd = process.cwd();
    process.chdir(w.dir);
    const writes = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const errors = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const answer = async (reply: string) => {
        const stdin = Object.assign(new PassThrough(), { isTTY: true });
        const stderr = new PassThrough();
        let prompt = "";
        stderr.setEncoding("utf8").on("data", (text: string) => {
          prompt += text;
          if (prompt.endsWith("[y/N] ")) stdin.write(`${reply}\n`);
        });
        process.exitCode = undefined;
        await runInProcess(["node", "tidemark", "state-store", "clear", ...SCOPE, "-o", "table"], {
          stdin,
          stderr,
        });
        return { prompt, exitCode: process.exitCode };
      };
      for (const reply of ["", "n", "no", "yess"]) {
        const declined = await answer(reply);
        expect(declined).toEqual({ prompt: `Delete 3 keys of ${WHAT}? [y/N] `, exitCode: 1 });
      }
      expect(errors.mock.calls.map(([text]) => String(text))).toContain(
        `error: aborted deleting 3 keys of ${WHAT}: the answer was not y or yes; nothing was deleted\n`,
      );
      expect(await keyCount()).toBe(3);
      expect(await answer(" YES ")).toMatchObject({ exitCode: undefined });
      expect(writes.mock.calls.map(([text]) => String(text))).toContain(`Cleared 3 keys of ${WHAT}.\n`);
    } finally {
      writes.mockRestore();
      errors.mockRestore();
      process.chdir(cwd);
      process.env = saved.env;
      process.exitCode = saved.exitCode;
    }
    expect(await keyCount()).toBe(0);
  });
});
