import { isStateStoreError, requireRegionId, StateStoreError } from "@tidemark/state";
import type { Command } from "commander";
import { resolveSecretKey } from "../api/secret-key.js";
import type { TidemarkDatabase } from "../database/tidemark-database.js";
import { createConfiguredStoreBackend } from "../metastore/create-configured-store-backend.js";
import { ReferenceSeal } from "../state-admin/reference-seal.js";
import { RestStateClient } from "../state-admin/rest-state-client.js";
import { StateAdmin } from "../state-admin/state-admin.js";
import type { StateStoreAccess, TaskTarget } from "../state-admin/state-store-access.js";
import { type CliDatabaseContext, withCliDatabase } from "./cli-context.js";
import { cliUserAgent } from "./cli-user-agent.js";

/** The scope flags of the `state-store` data commands, as commander parses them. */
export interface ScopeFlags {
  dagId?: string;
  runId?: string;
  taskId?: string;
  mapIndex?: string;
  regionId?: string;
  allMapIndices?: boolean;
  assetName?: string;
  assetUri?: string;
}

/** The server flags of the `state-store` data commands. */
export interface AccessFlags {
  apiUrl?: string;
  token?: string;
}

/** A task scope or an asset, as the flags name it. */
export type ScopeChoice =
  | { readonly kind: "task"; readonly target: TaskTarget; readonly allMapIndices: boolean }
  | { readonly kind: "asset"; readonly selector: { readonly name: string } | { readonly uri: string } };

/**
 * Adds the scope flags: `--dag-id --run-id --task-id [--map-index N] [--region-id UUID]` (and `--all-map-indices` when
 * `allMapIndices`) for task state, `--asset-name N | --asset-uri U` for asset state.
 *
 * @param command - the command.
 * @param options - whether the command accepts `--all-map-indices`.
 * @returns the command.
 */
export function addScopeOptions(command: Command, options: { allMapIndices?: string } = {}): Command {
  command
    .option("--dag-id <id>", "task state: the dag id")
    .option("--run-id <id>", "task state: the dag run id")
    .option("--task-id <id>", "task state: the task id")
    .option("--map-index <n>", "task state: the map index (default -1, a task that is not mapped)")
    .option(
      "--region-id <uuid>",
      "task state: the region of the task instance (Airflow 3.4; default: no region); --map-index is then the region index",
    );
  if (options.allMapIndices !== undefined) command.option("--all-map-indices", options.allMapIndices);
  return command
    .option("--asset-name <name>", "asset state: the asset's name")
    .option("--asset-uri <uri>", "asset state: the asset's URI");
}

/**
 * Adds `--api-url URL` and `--token T` (defaults: $TIDEMARK_API_URL, $TIDEMARK_API_TOKEN): without a URL
 * the command works on the configured database directly.
 *
 * @param command - the command.
 * @returns the command.
 */
export function addAccessOptions(command: Command): Command {
  return command
    .option(
      "--api-url <url>",
      "work through a running tidemark api-server at this base URL, e.g. http://127.0.0.1:8080 (default: $TIDEMARK_API_URL; without it, the configured database is used directly)",
    )
    .option(
      "--token <token>",
      "bearer token for --api-url, one of its api.auth_tokens (default: $TIDEMARK_API_TOKEN)",
    );
}

function mapIndexOf(value: string | undefined): number {
  if (value === undefined) return -1;
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < -1) {
    throw new StateStoreError(
      "INVALID_SCOPE",
      `--map-index must be an integer >= -1 (-1 for a task that is not mapped), got ${JSON.stringify(value)}`,
      { details: { option: "--map-index" } },
    );
  }
  return n;
}

function regionIdOf(value: string): string {
  try {
    return requireRegionId(value);
  } catch (error) {
    if (!isStateStoreError(error)) throw error;
    throw new StateStoreError(
      "INVALID_SCOPE",
      `--region-id must be a UUID such as 00000000-0000-0000-0000-000000000000 (no region), got ${JSON.stringify(value)}`,
      { details: { option: "--region-id" } },
    );
  }
}

/**
 * Reads the scope flags.
 *
 * @param flags - the parsed flags.
 * @param options - `optional`: no flag at all is allowed (then undefined is returned; `export`).
 * @returns the scope, or undefined when `optional` and no scope flag was given.
 * @throws StateStoreError `INVALID_SCOPE` when task and asset flags are mixed, a task flag is missing, both
 *   asset flags are given, or `--all-map-indices` is combined with `--map-index` or an asset; the message
 *   says which flags to give.
 */
export function scopeFromFlags(
  flags: ScopeFlags,
  options: { optional?: boolean } = {},
): ScopeChoice | undefined {
  const taskFlags = [flags.dagId, flags.runId, flags.taskId, flags.mapIndex, flags.regionId].some(
    (v) => v !== undefined,
  );
  const assetFlags = flags.assetName !== undefined || flags.assetUri !== undefined;
  const usage =
    "give --dag-id, --run-id and --task-id (and --map-index for a mapped task) for task state, or --asset-name or --asset-uri for asset state";
  if (taskFlags && assetFlags) {
    throw new StateStoreError("INVALID_SCOPE", `task flags and asset flags cannot be combined; ${usage}`);
  }
  if (assetFlags) {
    if (flags.allMapIndices) {
      throw new StateStoreError("INVALID_SCOPE", "--all-map-indices applies to task state, not to an asset");
    }
    if (flags.assetName !== undefined && flags.assetUri !== undefined) {
      throw new StateStoreError("INVALID_SCOPE", "give either --asset-name or --asset-uri, not both");
    }
    return {
      kind: "asset",
      selector: flags.assetName !== undefined ? { name: flags.assetName } : { uri: flags.assetUri as string },
    };
  }
  if (!taskFlags) {
    if (flags.allMapIndices) {
      throw new StateStoreError("INVALID_SCOPE", `--all-map-indices needs a task; ${usage}`);
    }
    if (options.optional) return undefined;
    throw new StateStoreError("INVALID_SCOPE", `no scope given; ${usage}`);
  }
  const missing = (
    [
      ["--dag-id", flags.dagId],
      ["--run-id", flags.runId],
      ["--task-id", flags.taskId],
    ] as const
  )
    .filter(([, v]) => v === undefined || v === "")
    .map(([name]) => name);
  if (missing.length > 0) {
    throw new StateStoreError("INVALID_SCOPE", `task state needs ${missing.join(", ")}; ${usage}`);
  }
  if (flags.allMapIndices && flags.mapIndex !== undefined) {
    throw new StateStoreError("INVALID_SCOPE", "--all-map-indices covers every map index; drop --map-index");
  }
  return {
    kind: "task",
    target: {
      dagId: flags.dagId as string,
      runId: flags.runId as string,
      taskId: flags.taskId as string,
      mapIndex: mapIndexOf(flags.mapIndex),
      ...(flags.regionId === undefined ? {} : { regionId: regionIdOf(flags.regionId) }),
    },
    allMapIndices: flags.allMapIndices === true,
  };
}

/** What a data command works with. */
export interface StateAccessContext {
  readonly access: StateStoreAccess;
  /** `direct` on the configured database, or `api` through `--api-url`. */
  readonly mode: "direct" | "api";
  /** Where the command works, for messages: the database's display URL or the server's base URL. */
  readonly where: string;
  /** The metastore (direct mode only). */
  readonly database?: TidemarkDatabase;
  /** The CLI context (direct mode only). */
  readonly cli?: CliDatabaseContext;
}

/**
 * Runs `work` with the state store: through the Core REST API of `--api-url` (or $TIDEMARK_API_URL) with
 * `--token` (or $TIDEMARK_API_TOKEN), or else directly on the configured database with the configured
 * server backend (`state_store.backend`), applying the same rules as the server (`StateAdmin`). The
 * database and backend are closed afterwards.
 *
 * @param command - the running command (for `--config`).
 * @param flags - `apiUrl`, `token`.
 * @param work - the command's body.
 * @returns what `work` returns.
 */
export async function withStateAccess<T>(
  command: Command,
  flags: AccessFlags,
  work: (context: StateAccessContext) => Promise<T>,
): Promise<T> {
  const apiUrl = flags.apiUrl ?? process.env.TIDEMARK_API_URL;
  if (apiUrl !== undefined && apiUrl !== "") {
    const token = flags.token ?? process.env.TIDEMARK_API_TOKEN;
    const client = new RestStateClient({
      apiUrl,
      userAgent: cliUserAgent(),
      ...(token === undefined ? {} : { token }),
    });
    return work({ access: client, mode: "api", where: client.baseUrl });
  }
  if (flags.token !== undefined) {
    throw new StateStoreError(
      "INVALID_VALUE",
      "--token is only used with --api-url (a running api-server); without --api-url the command works on the configured database directly",
      { details: { option: "--token" } },
    );
  }
  return withCliDatabase(command, async (cli) => {
    const { config, database, cwd } = cli;
    const backend = await createConfiguredStoreBackend({ config, database, cwd });
    try {
      const access = new StateAdmin({
        database,
        backend,
        settings: {
          maxValueStorageBytes: config.state_store.max_value_storage_bytes,
          defaultRetentionDays: config.state_store.default_retention_days,
        },
        // The same key the api-server seals with, so direct and --api-url exports restore alike.
        referenceSeal: new ReferenceSeal(resolveSecretKey(config, { cwd }).key),
      });
      return await work({ access, mode: "direct", where: database.displayUrl, database, cli });
    } finally {
      await backend.close();
    }
  });
}
