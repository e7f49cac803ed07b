export { buildProgram } from "./cli/build-program.js";
export type { CliIo } from "./cli/cli-io.js";
export { commandGroup } from "./cli/command-group.js";
export { COMMAND_REGISTRARS, type CommandRegistrar } from "./cli/commands/index.js";
export { reportCliError, runCli } from "./cli/run-cli.js";
