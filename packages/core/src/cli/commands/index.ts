import type { Command } from "commander";
import { registerApiServerCommand } from "./api-server.js";
import { registerAssetsCommands } from "./assets.js";
import { registerDagRunsCommands } from "./dag-runs.js";
import { registerDagsCommands } from "./dags.js";
import { registerDbCommands } from "./db.js";
import { registerStateStoreCommands } from "./state-store.js";
import { registerStateStoreEntryCommands } from "./state-store-entries.js";
import { registerStateStoreTransferCommands } from "./state-store-transfer.js";
import { registerTaskInstancesCommands } from "./task-instances.js";
import { registerTaskInstancesListCommand } from "./task-instances-list.js";
import { registerTaskInstancesTokenCommand } from "./task-instances-token.js";

/** Adds commands to the `tidemark` program. */
export type CommandRegistrar = (program: Command) => void;

/**
 * Every command file's registrar, in help order. A new command file exports a registrar (using
 * `commandGroup` to add to an existing group such as `state-store` or `task-instances`) and is listed here.
 */
export const COMMAND_REGISTRARS: readonly CommandRegistrar[] = [
  registerDbCommands,
  registerAssetsCommands,
  registerTaskInstancesCommands,
  registerTaskInstancesListCommand,
  registerTaskInstancesTokenCommand,
  registerDagsCommands,
  registerDagRunsCommands,
  registerStateStoreCommands,
  registerStateStoreEntryCommands,
  registerStateStoreTransferCommands,
  registerApiServerCommand,
];
