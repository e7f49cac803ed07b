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
  process.stderr.write("building @tidemark/bench failed; fix the errors above and run again\n");
  process.exit(build.status ?? 1);
}
const args = process.argv.slice(2);
const entry = `${app}dist/cli.js`;
process.chdir(app);
process.argv = [process.argv[0] ?? process.execPath, entry, ...(args[0] === "--" ? args.slice(1) : args)];
await import(entry);
