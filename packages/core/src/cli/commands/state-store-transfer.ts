import { once } from "node:events";
import { createWriteStream, readFileSync } from "node:fs";
import type { Writable } from "node:stream";
import { loadWorkerBackend, StateStoreError } from "@tidemark/state";
import type { Command } from "commander";
import { metastoreImportHooks } from "../../state-admin/metastore-import-hooks.js";
import {
  exportState,
  importState,
  parseStateExport,
  type ReferenceResolver,
  type StateExportLine,
} from "../../state-admin/state-export.js";
import { cliContext } from "../cli-context.js";
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

/** The option naming the worker backend that `--with-objects` reads objects through. */
const WORKER_BACKEND_OPTION = "workers.state_store_backend";

/**
 * Loads the configured worker backend (by dynamic import, as workers do, so core never depends on a
 * provider) and answers a resolver reading objects through it, and its `close`.
 */
async function objectResolver(
  command: Command,
): Promise<{ resolve: ReferenceResolver; close: () => Promise<void> }> {
  const { config, cwd } = cliContext(command);
  const spec = config.workers.state_store_backend;
  if (spec === "") {
    throw new StateStoreError(
      "CONFIG_ERROR",
      `--with-objects reads offloaded values through the worker backend, but ${WORKER_BACKEND_OPTION} is empty; set it as the workers have it (for example "@tidemark/provider-common-io#StateStoreObjectStorageBackend" with its [common_io] section, or TIDEMARK__WORKERS__STATE_STORE_BACKEND)`,
      { details: { option: WORKER_BACKEND_OPTION } },
    );
  }
  const backend = await loadWorkerBackend(spec, { option: WORKER_BACKEND_OPTION, config, cwd });
  return {
    resolve: (ref, { key, scope }) =>
      scope.kind === "task"
        ? backend.deserializeTaskStateStoreFromRef(ref, { key, scope })
        : backend.deserializeAssetStateStoreFromRef(ref, { key, scope }),
    close: async () => {
      await backend.close?.();
    },
  };
}

/** Most offloaded keys a warning names one by one. */
const NAMED_REFERENCES = 10;

function lineName(line: StateExportLine): string {
  return line.scope === "task"
    ? `${line.dag_id}/${line.run_id}/${line.task_id}[${line.map_index}] ${JSON.stringify(line.key)}`
    : `asset ${line.name} ${JSON.stringify(line.key)}`;
}

/** The stderr warning about offloaded values an export carries only as references. */
function referenceWarning(lines: readonly StateExportLine[]): string {
  const named = lines.slice(0, NAMED_REFERENCES).map(lineName).join(", ");
  const more = lines.length > NAMED_REFERENCES ? ` and ${lines.length - NAMED_REFERENCES} more` : "";
  return `warning: ${plural(lines.length, "key")} hold${lines.length === 1 ? "s" : ""} a value offloaded to object storage that this export carries only as a reference, which only this deployment (same api.secret_key, same objects) can restore: ${named}${more}; pass --with-objects to export the values themselves\n`;
}

/**
 * Registers `tidemark state-store export [scope] [--file F] [--with-objects]` (NDJSON, one key per line)
 * and `tidemark state-store import [FILE]`, on the configured database or through `--api-url`. Export
 * warns on stderr about offloaded values it carries only as references; `--with-objects` reads them
 * through the configured worker backend instead. Import records the importer as each asset key's
 * writer (`{kind: "api"}`, as every operator write), on both paths.
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
        .option("-f, --file <path>", "write to this file instead of stdout")
        .option(
          "--with-objects",
          "export offloaded values themselves, read from object storage through workers.state_store_backend, so another deployment can import them",
        ),
      { allMapIndices: "export every map index of the task" },
    ),
  ).action(
    async (flags: ScopeFlags & AccessFlags & { file?: string; withObjects?: boolean }, command: Command) => {
      const scope = scopeFromFlags(flags, { optional: true });
      const objects = flags.withObjects ? await objectResolver(command) : undefined;
      try {
        await withStateAccess(command, flags, async ({ access, cli }) => {
          const out: Writable = flags.file === undefined ? process.stdout : createWriteStream(flags.file);
          let count = 0;
          let resolved = 0;
          const references: StateExportLine[] = [];
          try {
            const options = objects === undefined ? {} : { resolveReference: objects.resolve };
            for await (const line of exportState(access, scope, options)) {
              await write(out, `${JSON.stringify(line)}\n`);
              count++;
              if (line.is_reference) references.push(line);
              if (line.resolved_reference !== undefined) resolved++;
            }
          } finally {
            if (out !== process.stdout) {
              out.end();
              await once(out, "close");
            }
          }
          cli?.logger.debug({ keys: count, resolved }, "exported state");
          if (references.length > 0) process.stderr.write(referenceWarning(references));
          if (flags.file !== undefined) {
            const read = resolved === 0 ? "" : `, ${resolved} read from object storage`;
            process.stderr.write(`Exported ${plural(count, "key")}${read} to ${flags.file}.\n`);
          }
        });
      } finally {
        await objects?.close();
      }
    },
  );

  addAccessOptions(
    group
      .command("import")
      .description(
        "Read NDJSON written by export and write every key (values and expiry; versions restart; asset keys record the importer, writer api). On the database, missing task instances and assets are created; through --api-url they must exist",
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
