import { StateStoreError } from "@tidemark/state";
import type { Command } from "commander";
import { issueTaskToken, issueWatcherToken } from "../../api/execution-tokens.js";
import { parseDurationSeconds } from "../../api/parse-duration.js";
import { resolveSecretKey } from "../../api/secret-key.js";
import { getTaskInstance } from "../../metadata/task-instances.js";
import { cliContext, withCliDatabase } from "../cli-context.js";
import { commandGroup } from "../command-group.js";

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * Registers `tidemark task-instances token ID [--ttl 1h]` (a task token for one task instance) and
 * `tidemark assets watcher-token --watcher ID --asset NAME… [--uri URI…] [--ttl 1h]` (a watcher token for
 * asset state only). Both print the token alone on stdout and sign with the api-server's key
 * (`api.secret_key`, else `./.tidemark/secret_key`, generated when missing), so run them in the
 * api-server's working directory or share `api.secret_key`.
 *
 * @param program - the root command.
 */
export function registerTaskInstancesTokenCommand(program: Command): void {
  commandGroup(program, "task-instances", "Create and inspect task instances")
    .command("token")
    .description("Print a bearer token for the Execution API routes of one task instance")
    .argument("<id>", "task instance id")
    .option("--ttl <duration>", "token lifetime: 90s, 15m, 1h, 2d or 1h30m", "1h")
    .action(async (id: string, options: { ttl: string }, command: Command) => {
      const ttlSeconds = parseDurationSeconds(options.ttl);
      await withCliDatabase(command, async ({ config, cwd, database }) => {
        const ti = await getTaskInstance(database, id);
        if (ti === null) {
          throw new StateStoreError(
            "TASK_INSTANCE_NOT_FOUND",
            `task instance ${JSON.stringify(id)} does not exist; create it with \`tidemark task-instances create\``,
          );
        }
        const { key } = resolveSecretKey(config, { cwd });
        process.stdout.write(`${await issueTaskToken({ key, taskInstanceId: ti.id, ttlSeconds })}\n`);
      });
    });

  commandGroup(program, "assets", "Register, deactivate and list assets")
    .command("watcher-token")
    .description("Print a watcher token: asset state of the listed assets only, no task instance")
    .requiredOption("--watcher <id>", "a name for the watcher, recorded in the token")
    .option("--asset <name>", "name of an asset it may touch (repeatable)", collect, [])
    .option("--uri <uri>", "uri of an asset it may touch (repeatable)", collect, [])
    .option("--ttl <duration>", "token lifetime: 90s, 15m, 1h, 2d or 1h30m", "1h")
    .action(
      async (options: { watcher: string; asset: string[]; uri: string[]; ttl: string }, command: Command) => {
        const ttlSeconds = parseDurationSeconds(options.ttl);
        const { config, cwd } = cliContext(command);
        const { key } = resolveSecretKey(config, { cwd });
        const assets = [...options.asset.map((name) => ({ name })), ...options.uri.map((uri) => ({ uri }))];
        process.stdout.write(
          `${await issueWatcherToken({ key, watcherId: options.watcher, assets, ttlSeconds })}\n`,
        );
      },
    );
}
