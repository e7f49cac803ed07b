import { loadConfig, type TidemarkConfig } from "@tidemark/config";
import type { Command } from "commander";
import type { Logger } from "pino";
import { createDatabase } from "../database/create-database.js";
import type { TidemarkDatabase } from "../database/tidemark-database.js";
import { createLogger } from "../logging/create-logger.js";
import { migrate } from "../migrations/migrate.js";

/** What a command works with. */
export interface CliContext {
  /** The configuration: `--config`, else TIDEMARK_CONFIG, else ./tidemark.toml; `TIDEMARK__…` variables win. */
  readonly config: TidemarkConfig;
  /** pino on stderr at `logging.level`, named `tidemark`. */
  readonly logger: Logger;
  /** The working directory. */
  readonly cwd: string;
}

/** What a command that uses the metastore works with. */
export interface CliDatabaseContext extends CliContext {
  /** The metastore on `database.url`, open for the command's duration. */
  readonly database: TidemarkDatabase;
}

/**
 * Loads the configuration for a command, honouring the global `--config FILE` option.
 *
 * @param command - the running command (its global options are read).
 * @returns the context.
 * @throws StateStoreError `CONFIG_ERROR` naming the option or file that is wrong.
 */
export function cliContext(command: Command): CliContext {
  const { config: file } = command.optsWithGlobals<{ config?: string }>();
  const cwd = process.cwd();
  const config = loadConfig({ cwd, ...(file === undefined ? {} : { file }) });
  return { config, cwd, logger: createLogger({ level: config.logging.level, name: "tidemark" }) };
}

/**
 * Runs `work` with the metastore open. Unless `migrate` is false, the schema is first brought up to date
 * (`migrate()`: idempotent, safe beside other processes); applied migrations are logged. The database is
 * closed afterwards, also when `work` throws.
 *
 * @param command - the running command.
 * @param work - the command's body.
 * @param options - `migrate` (default true).
 * @returns what `work` returns.
 */
export async function withCliDatabase<T>(
  command: Command,
  work: (context: CliDatabaseContext) => Promise<T>,
  options: { migrate?: boolean } = {},
): Promise<T> {
  const context = cliContext(command);
  const database = createDatabase(context.config.database.url, {
    cwd: context.cwd,
    poolSize: context.config.database.pool_size,
  });
  try {
    if (options.migrate ?? true) {
      const { applied } = await migrate(database);
      if (applied.length > 0) {
        context.logger.info(
          { applied, database: database.displayUrl },
          "migrated the metastore before running the command",
        );
      }
    }
    return await work({ ...context, database });
  } finally {
    await database.close();
  }
}
