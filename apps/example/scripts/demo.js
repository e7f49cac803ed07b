#!/usr/bin/env node
// `pnpm demo [options]` from the repository root: builds the demo (quietly), then runs it in apps/example
// with the user's arguments, environment and terminal.
import { fileURLToPath } from "node:url";
import { buildQuietly, runInProcess, userArguments } from "./build-quietly.js";

const app = fileURLToPath(new URL("../", import.meta.url));
buildQuietly(["@tidemark/example"], "demo");
await runInProcess(`${app}dist/main.js`, userArguments(process.argv.slice(2)), app);
