import { StateStoreError } from "@tidemark/state";
import type { Command } from "commander";
import type {
  AssetStateEntryJson,
  AssetSummaryJson,
  TaskStateEntryJson,
} from "../../state-admin/wire-types.js";
import { cliIo } from "../cli-io.js";
import { commandGroup } from "../command-group.js";
import { ConfirmationDeclinedError, confirm } from "../confirm.js";
import { printJson } from "../json-output.js";
import { printList } from "../list-output.js";
import { type OutputFormat, outputFormat, renderRecord } from "../output-format.js";
import { addOutputOption, integerOption } from "../page-options.js";
import { parseRetention } from "../retention.js";
import { scopeKeyCount } from "../scope-key-count.js";
import {
  type AccessFlags,
  addAccessOptions,
  addScopeOptions,
  type ScopeChoice,
  type ScopeFlags,
  type StateAccessContext,
  scopeFromFlags,
  withStateAccess,
} from "../state-store-target.js";

type Flags = ScopeFlags & AccessFlags & { output?: string };

function describeScope(scope: ScopeChoice, asset?: AssetSummaryJson): string {
  if (scope.kind === "asset") {
    return asset === undefined ? "the asset" : `asset ${JSON.stringify(asset.name)} (id ${asset.id})`;
  }
  const t = scope.target;
  const where = `dag_id=${JSON.stringify(t.dagId)} run_id=${JSON.stringify(t.runId)} task_id=${JSON.stringify(t.taskId)}`;
  return scope.allMapIndices
    ? `task ${where} (every map index)`
    : `task instance ${where} map_index=${t.mapIndex ?? -1}`;
}

function valueText(entry: TaskStateEntryJson): string {
  return entry.is_reference ? `[ref] ${entry.ref}` : JSON.stringify(entry.value);
}

function writerText(entry: AssetStateEntryJson): string {
  const w = entry.last_updated_by;
  if (w === null) return "-";
  return w.kind === "task" ? `task ${w.dag_id}/${w.run_id}/${w.task_id}[${w.map_index}]` : w.kind;
}

function printEntry(entry: TaskStateEntryJson | AssetStateEntryJson, format: OutputFormat): void {
  if (format === "json") {
    printJson(entry);
    return;
  }
  const fields: [string, string][] = [
    ["key", entry.key],
    ["value", JSON.stringify(entry.value, null, 2)],
    ["version", String(entry.version)],
    ["updated_at", entry.updated_at ?? "-"],
    ["expires_at", entry.expires_at ?? "never"],
  ];
  if (entry.is_reference) fields.push(["ref", entry.ref ?? ""]);
  if ("last_updated_by" in entry) fields.push(["last_updated_by", writerText(entry)]);
  process.stdout.write(renderRecord(fields));
}

function printEntries(
  json: unknown,
  entries: readonly (TaskStateEntryJson | AssetStateEntryJson)[],
  list: { format: OutputFormat; total: number; offset: number; asset: boolean; empty: string },
): void {
  printList({
    format: list.format,
    json,
    headers: [
      "KEY",
      "VERSION",
      "UPDATED AT",
      "EXPIRES AT",
      ...(list.asset ? ["LAST UPDATED BY"] : []),
      "VALUE",
    ],
    rows: entries.map((e) => [
      e.key,
      String(e.version),
      e.updated_at ?? "-",
      e.expires_at ?? "never",
      ...("last_updated_by" in e ? [writerText(e)] : []),
      valueText(e),
    ]),
    empty: list.empty,
    noun: "keys",
    offset: list.offset,
    total: list.total,
  });
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin)
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Reads the value of `set`: the argument, or stdin when the argument is `-` or absent (and stdin is not a
 * terminal), parsed as JSON.
 *
 * @throws StateStoreError `INVALID_VALUE` when there is no value or it is not JSON.
 */
async function readValue(argument: string | undefined): Promise<unknown> {
  let text: string;
  let source: string;
  if (argument !== undefined && argument !== "-") {
    text = argument;
    source = "the value argument";
  } else if (argument === "-" || process.stdin.isTTY !== true) {
    text = await readStdin();
    source = "stdin";
  } else {
    throw new StateStoreError(
      "INVALID_VALUE",
      `no value given; pass it as JSON after the key (for example '{"rows": 3}' or '"text"') or pipe it on stdin`,
    );
  }
  if (text.trim() === "") {
    throw new StateStoreError(
      "INVALID_VALUE",
      `${source} is empty; the value must be JSON, for example '"text"' or 42`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new StateStoreError(
      "INVALID_VALUE",
      `${source} is not JSON (${(error as Error).message}); quote text as a JSON string, for example '"hello"'`,
    );
  }
}

async function withScope<T>(
  command: Command,
  flags: Flags,
  work: (
    context: StateAccessContext & { scope: ScopeChoice; asset?: AssetSummaryJson; format: OutputFormat },
  ) => Promise<T>,
): Promise<T> {
  const scope = scopeFromFlags(flags) as ScopeChoice;
  const format = outputFormat(flags.output);
  return withStateAccess(command, flags, async (context) => {
    const asset = scope.kind === "asset" ? await context.access.findAsset(scope.selector) : undefined;
    return work({ ...context, scope, format, ...(asset === undefined ? {} : { asset }) });
  });
}

/**
 * Registers `tidemark state-store list|get|set|delete|clear`: task state (`--dag-id --run-id --task-id
 * [--map-index N]`) and asset state (`--asset-name N | --asset-uri U`), on the configured database or
 * through a server (`--api-url URL --token T`), with the Core REST API's rules on both paths. `list`
 * says so in a sentence when there are no keys (table mode); `clear` counts the keys, then asks
 * `Delete N keys of …? [y/N]` on a terminal (anything but y/yes aborts, exit 1, nothing deleted) and
 * without a terminal refuses unless `--yes` (`INVALID_VALUE`, exit 2).
 *
 * @param program - the root command.
 */
export function registerStateStoreEntryCommands(program: Command): void {
  const group = commandGroup(program, "state-store", "Task and asset state").description(
    "Task and asset state: list, get, set, delete, clear, export, import and clean",
  );

  addOutputOption(
    addAccessOptions(
      addScopeOptions(
        group
          .command("list")
          .description("List the live keys of a task instance or an asset, in key order")
          .option("--prefix <text>", "only keys starting with this text (matched literally)")
          .option("--limit <n>", "most keys listed (0-1000)", integerOption("--limit", 0, 1000), 100)
          .option("--offset <n>", "keys skipped", integerOption("--offset", 0), 0),
      ),
    ),
  ).action(async (flags: Flags & { prefix?: string; limit: number; offset: number }, command: Command) => {
    const page = {
      limit: flags.limit,
      offset: flags.offset,
      ...(flags.prefix === undefined ? {} : { prefix: flags.prefix }),
    };
    await withScope(command, flags, async ({ access, scope, asset, format }) => {
      const matching = flags.prefix === undefined ? "" : ` starting with ${JSON.stringify(flags.prefix)}`;
      const options = {
        format,
        offset: page.offset,
        empty: `No state keys${matching} in ${describeScope(scope, asset)}.`,
      };
      if (scope.kind === "task") {
        const list = await access.listTaskState(scope.target, page);
        printEntries(list, list.task_state_store, { ...options, total: list.total_entries, asset: false });
      } else {
        const list = await access.listAssetState((asset as AssetSummaryJson).id, page);
        printEntries(list, list.asset_state_store, { ...options, total: list.total_entries, asset: true });
      }
    });
  });

  addOutputOption(
    addAccessOptions(
      addScopeOptions(
        group
          .command("get")
          .description("Print one key with its value, version and expiry")
          .argument("<key>", "the key"),
      ),
    ),
  ).action(async (key: string, flags: Flags, command: Command) => {
    await withScope(command, flags, async ({ access, scope, asset, format }) => {
      const entry =
        scope.kind === "task"
          ? await access.getTaskState(scope.target, key)
          : await access.getAssetState((asset as AssetSummaryJson).id, key);
      printEntry(entry, format);
    });
  });

  addOutputOption(
    addAccessOptions(
      addScopeOptions(
        group
          .command("set")
          .description("Write a key; the value is JSON, given after the key or on stdin")
          .argument("<key>", "the key")
          .argument("[value]", "the value as JSON ('-' or absent: read stdin)")
          .option(
            "--retention <duration>",
            "task state: when the key expires, from now: 7d, 12h, 30m, never, or default (state_store.default_retention_days)",
          )
          .option(
            "--keep-expiry",
            "replace the value of an existing key and keep its expiry (fails when the key is missing)",
          )
          .option(
            "--if-version <n>",
            "write only if the key is at this version (compare-and-set)",
            integerOption("--if-version", 1),
          ),
      ),
    ),
  ).action(
    async (
      key: string,
      valueArgument: string | undefined,
      flags: Flags & { retention?: string; keepExpiry?: boolean; ifVersion?: number },
      command: Command,
    ) => {
      const scope = scopeFromFlags(flags) as ScopeChoice;
      if (scope.kind === "task" && scope.allMapIndices) {
        throw new StateStoreError("INVALID_SCOPE", "set writes one task instance; drop --all-map-indices");
      }
      if (scope.kind === "asset" && flags.retention !== undefined) {
        throw new StateStoreError(
          "INVALID_VALUE",
          "asset state never expires; --retention applies to task state only",
        );
      }
      if (flags.keepExpiry && flags.retention !== undefined) {
        throw new StateStoreError(
          "INVALID_VALUE",
          "--keep-expiry keeps the key's expiry; drop --retention or --keep-expiry",
        );
      }
      const expiresAt = parseRetention(flags.retention);
      const value = await readValue(valueArgument);
      const ifVersion = flags.ifVersion === undefined ? {} : { ifVersion: flags.ifVersion };
      await withScope(command, flags, async ({ access, asset, format }) => {
        let entry: TaskStateEntryJson | AssetStateEntryJson;
        if (scope.kind === "task") {
          entry = flags.keepExpiry
            ? await access.patchTaskState(scope.target, key, { value, ...ifVersion })
            : await access.putTaskState(scope.target, key, { value, expiresAt, ...ifVersion });
        } else {
          const id = (asset as AssetSummaryJson).id;
          entry = flags.keepExpiry
            ? await access.patchAssetState(id, key, { value, ...ifVersion })
            : await access.putAssetState(id, key, { value, ...ifVersion });
        }
        printEntry(entry, format);
      });
    },
  );

  addOutputOption(
    addAccessOptions(
      addScopeOptions(
        group
          .command("delete")
          .description("Delete one key (a missing key is not an error)")
          .argument("<key>", "the key"),
      ),
    ),
  ).action(async (key: string, flags: Flags, command: Command) => {
    await withScope(command, flags, async ({ access, scope, asset, format }) => {
      if (scope.kind === "task") {
        if (scope.allMapIndices)
          throw new StateStoreError(
            "INVALID_SCOPE",
            "delete removes one key of one task instance; drop --all-map-indices",
          );
        await access.deleteTaskState(scope.target, key);
      } else await access.deleteAssetState((asset as AssetSummaryJson).id, key);
      if (format === "json") printJson({ key, deleted: true });
      else process.stdout.write(`Deleted key ${JSON.stringify(key)} of ${describeScope(scope, asset)}.\n`);
    });
  });

  addOutputOption(
    addAccessOptions(
      addScopeOptions(
        group
          .command("clear")
          .description(
            "Delete every key of a task instance (or of every map index of a task) or of an asset; counts the keys first and asks on a terminal unless --yes",
          )
          .option(
            "--yes",
            "delete without asking (needed when stdin is not a terminal; on a terminal the command asks)",
          ),
        { allMapIndices: "task state: clear every map index of the task in that dag run" },
      ),
    ),
  ).action(async (flags: Flags & { yes?: boolean }, command: Command) => {
    const scope = scopeFromFlags(flags) as ScopeChoice;
    const io = cliIo(command);
    await withScope(command, flags, async ({ access, asset, format }) => {
      // Counted first, so the question and the refusal say what would go.
      const count = await scopeKeyCount(access, scope, asset);
      const what = describeScope(scope, asset);
      if (count > 0 && !flags.yes) {
        if (io.stdin.isTTY !== true) {
          throw new StateStoreError(
            "INVALID_VALUE",
            `refusing to delete ${plural(count, "key")} of ${what} without --yes: stdin is not a terminal, so nobody can confirm; pass --yes to delete them`,
            { details: { option: "--yes" } },
          );
        }
        if (!(await confirm(io, `Delete ${plural(count, "key")} of ${what}?`))) {
          throw new ConfirmationDeclinedError(`deleting ${plural(count, "key")} of ${what}`);
        }
      }
      if (scope.kind === "task")
        await access.clearTaskState(scope.target, { allMapIndices: scope.allMapIndices });
      else await access.clearAssetState((asset as AssetSummaryJson).id);
      if (format === "json") printJson({ cleared: true, deleted_keys: count });
      else if (count === 0) process.stdout.write(`No state keys in ${what}; nothing to clear.\n`);
      else process.stdout.write(`Cleared ${plural(count, "key")} of ${what}.\n`);
    });
  });
}
