#!/usr/bin/env node
// `pnpm bench [options]` from the repository root: builds the benchmarks (quietly; turbo's output only on
// failure), then runs them in this process in apps/bench with the user's arguments and environment.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const app = fileURLToPath(new URL("../", import.meta.url));
const root = fileURLToPath(new URL("../../../", import.meta.url));
const turbo = createRequire(`${root}package.json`).resolve("turbo/bin/turbo");
const build = spawnSync(
  process.execPath,
  [turbo, "run", "build", "--filter=@tidemark/bench...", "--output-logs=errors-only", "--log-prefix=none"],
  { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
);
if (build.status !== 0) {
  process.stderr.write(`${build.stdout ?? ""}${build.stderr ?? ""}${build.error?.message ?? ""}\n`);
  const hint = /package manager binary/.test(`${build.stdout}${build.stderr}`)
    ? "turbo needs pnpm on the PATH: run it from the repository root as `pnpm bench` (or `npx -y pnpm@10.34.8 bench`)"
    : "fix the errors above and run again";
  process.stderr.write(`building @tidemark/bench failed; ${hint}\n`);
  process.exit(build.status ?? 1);
}
const args = process.argv.slice(2);
const entry = `${app}dist/cli.js`;
process.chdir(app);
process.argv = [process.argv[0] ?? process.execPath, entry, ...(args[0] === "--" ? args.slice(1) : args)];
await import(entry);
