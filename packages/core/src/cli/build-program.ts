import { createRequire } from "node:module";
import { Command } from "commander";
import { COMMAND_REGISTRARS, type CommandRegistrar } from "./commands/index.js";
import { EXIT_CODES_HELP } from "./exit-codes.js";

function packageVersion(): string {
  try {
    return (createRequire(import.meta.url)("../../package.json") as { version: string }).version;
  } catch {
    return "0.0.0";
  }
}

/**
 * Builds the `tidemark` command-line program (commander) with every registered command group and the
 * global `--config FILE` option. Configuration comes from `--config`, else TIDEMARK_CONFIG, else
 * ./tidemark.toml, with `TIDEMARK__SECTION__KEY` variables winning. `--help` ends with the exit codes
 * (`EXIT_CODES`).
 *
 * @param registrars - the command registrars. Default: {@link COMMAND_REGISTRARS}.
 * @returns the program; run it with `parseAsync(process.argv)`.
 */
export function buildProgram(registrars: readonly CommandRegistrar[] = COMMAND_REGISTRARS): Command {
  const program = new Command("tidemark")
    .description("Tidemark: the task state store and asset state store (Apache Airflow AIP-103)")
    .version(packageVersion())
    .option("-c, --config <file>", "configuration file (default: $TIDEMARK_CONFIG, else ./tidemark.toml)")
    .showHelpAfterError("(run with --help for usage)")
    .configureHelp({ sortSubcommands: false })
    .addHelpText("after", EXIT_CODES_HELP);
  for (const register of registrars) register(program);
  return program;
}
