import { once } from "node:events";
import { createWriteStream, readFileSync } from "node:fs";
import type { Writable } from "node:stream";
import { StateStoreError } from "@tidemark/state";
import type { Command } from "commander";
import { metastoreImportHooks } from "../../state-admin/metastore-import-hooks.js";
import { exportState, importState, parseStateExport } from "../../state-admin/state-export.js";
import { commandGroup } from "../command-group.js";
import { printJson } from "../json-output.js";
import { outputFormat } from "../output-format.js";
import {
  type AccessFlags,
  addAccessOptions,
  addScopeOptions,
  type ScopeFlags,
  scopeFromFlags,
  withStateAccess,
} from "../state-store-target.js";

async function write(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, "drain");
}

async function readInput(file: string | undefined): Promise<string> {
  if (file !== undefined && file !== "-") {
    try {
      return readFileSync(file, "utf8");
    } catch (error) {
      throw new StateStoreError(
        "INVALID_VALUE",
        `cannot read ${JSON.stringify(file)}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }
  if (process.stdin.isTTY === true) {
    throw new StateStoreError(
      "INVALID_VALUE",
      "no input: give an export file, or pipe one on stdin (tidemark state-store import < state.ndjson)",
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin)
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * Registers `tidemark state-store export [scope] [--file F]` (NDJSON, one key per line) and
 * `tidemark state-store import [FILE]`, on the configured database or through `--api-url`.
 *
 * @param program - the root command.
 */
export function registerStateStoreTransferCommands(program: Command): void {
  const group = commandGroup(program, "state-store", "Task and asset state");

  addAccessOptions(
    addScopeOptions(
      group
        .command("export")
        .description(
          "Write state as NDJSON, one key per line: a task instance, every map index of a task, an asset, or (without scope flags) every task instance and active asset",
        )
        .option("-f, --file <path>", "write to this file instead of stdout"),
      { allMapIndices: "export every map index of the task" },
    ),
  ).action(async (flags: ScopeFlags & AccessFlags & { file?: string }, command: Command) => {
    const scope = scopeFromFlags(flags, { optional: true });
    await withStateAccess(command, flags, async ({ access, cli }) => {
      const out: Writable = flags.file === undefined ? process.stdout : createWriteStream(flags.file);
      let count = 0;
      try {
        for await (const line of exportState(access, scope)) {
          await write(out, `${JSON.stringify(line)}\n`);
          count++;
        }
      } finally {
        if (out !== process.stdout) {
          out.end();
          await once(out, "close");
        }
      }
      cli?.logger.debug({ keys: count }, "exported state");
      if (flags.file !== undefined)
        process.stderr.write(`Exported ${plural(count, "key")} to ${flags.file}.\n`);
    });
  });

  addAccessOptions(
    group
      .command("import")
      .description(
        "Read NDJSON written by export and write every key (values and expiry; versions restart). On the database, missing task instances and assets are created; through --api-url they must exist",
      )
      .argument("[file]", "the export file ('-' or absent: stdin)")
      .option("--no-create", "on the database: fail instead of creating missing task instances and assets")
      .option("-o, --output <format>", "table or json (default: table on a terminal, else json)"),
  ).action(
    async (
      file: string | undefined,
      flags: AccessFlags & { create: boolean; output?: string },
      command: Command,
    ) => {
      const format = outputFormat(flags.output);
      const text = await readInput(file);
      await withStateAccess(command, flags, async ({ access, mode, where, database, cli }) => {
        const lines = parseStateExport(text, {
          maxValueBytes: cli?.config.state_store.max_value_storage_bytes ?? 0,
        });
        const report = await importState(access, lines, {
          ...(mode === "direct" && flags.create && database !== undefined
            ? { hooks: metastoreImportHooks(database) }
            : {}),
          preserveWriters: mode === "direct",
        });
        if (format === "json") {
          printJson({
            task_keys: report.taskKeys,
            asset_keys: report.assetKeys,
            skipped_expired: report.skippedExpired,
            created_task_instances: report.createdTaskInstances,
            created_assets: report.createdAssets,
          });
          return;
        }
        const created =
          report.createdTaskInstances + report.createdAssets === 0
            ? ""
            : `; created ${plural(report.createdTaskInstances, "task instance")} and ${plural(report.createdAssets, "asset")}`;
        const skipped =
          report.skippedExpired === 0 ? "" : `; skipped ${plural(report.skippedExpired, "expired key")}`;
        process.stdout.write(
          `Imported ${plural(report.taskKeys + report.assetKeys, "key")} (${report.taskKeys} task state, ${report.assetKeys} asset state) into ${where}${created}${skipped}.\n`,
        );
      });
    },
  );
}
