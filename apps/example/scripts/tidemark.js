#!/usr/bin/env node
// `pnpm tidemark <command>` from the repository root: builds the tidemark CLI of @tidemark/core (quietly),
// then runs it in the directory pnpm was started from (INIT_CWD), as an installed `tidemark` would.
import { buildQuietly, REPO_ROOT, runInProcess, userArguments } from "./build-quietly.js";

buildQuietly(["@tidemark/core"], "tidemark");
await runInProcess(
  `${REPO_ROOT}packages/core/bin/tidemark.js`,
  userArguments(process.argv.slice(2)),
  process.env.INIT_CWD || process.cwd(),
);
