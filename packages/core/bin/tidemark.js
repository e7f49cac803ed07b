#!/usr/bin/env node
// The `tidemark` command: a stable file for package managers to link, running the built CLI.
await import("../dist/cli/main.js");
