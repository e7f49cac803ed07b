import type { CleanupProgress, CleanupReport } from "@tidemark/state";
import cliProgress from "cli-progress";
import type { Command } from "commander";
import { createConfiguredStoreBackend } from "../../metastore/create-configured-store-backend.js";
import { cleanupStateStore } from "../../metastore/state-store-cleanup.js";
import { withCliDatabase } from "../cli-context.js";
import { commandGroup } from "../command-group.js";
import { printJson } from "../json-output.js";
import { outputFormat } from "../output-format.js";

/** Sweeps of at least this many rows in a phase get a progress bar (on a TTY). */
export const PROGRESS_BAR_MIN_ROWS = 10_000;

/** Shows one progress bar per cleanup phase on stderr, for phases of at least PROGRESS_BAR_MIN_ROWS. */
function progressReporter(enabled: boolean): { onProgress: (p: CleanupProgress) => void; stop(): void } {
  let bar: cliProgress.SingleBar | undefined;
  let phase: string | undefined;
  const stop = () => {
    bar?.stop();
    bar = undefined;
  };
  return {
    onProgress(p) {
      if (!enabled) return;
      if (p.phase !== phase) {
        stop();
        phase = p.phase;
        if (p.total !== null && p.total >= PROGRESS_BAR_MIN_ROWS) {
          bar = new cliProgress.SingleBar(
            { format: "{phase} [{bar}] {percentage}% | {value}/{total} rows", stream: process.stderr },
            cliProgress.Presets.shades_classic,
          );
          bar.start(p.total, 0, { phase: p.phase });
        }
      }
      bar?.update(Math.min(p.done, bar.getTotal()), { phase: p.phase });
    },
    stop,
  };
}

/**
 * The one-line summary of a cleanup, for example `Deleted 12 rows (task_state_store: 10,
 * asset_state_store: 2) in 35 ms.` or `Dry run: would delete …`.
 *
 * @param report - what cleanup returned.
 */
export function cleanupSummary(report: CleanupReport): string {
  const counts = Object.entries(report.deleted);
  const total = counts.reduce((sum, [, n]) => sum + n, 0);
  const detail = counts.length === 0 ? "" : ` (${counts.map(([k, n]) => `${k}: ${n}`).join(", ")})`;
  const rows = `${total} row${total === 1 ? "" : "s"}${detail}`;
  return report.dryRun
    ? `Dry run: would delete ${rows}; nothing was deleted (${report.durationMs} ms).`
    : `Deleted ${rows} in ${report.durationMs} ms.`;
}

/**
 * The cleanup result as `state-store clean --output json` prints it: `{"dry_run": false, "deleted":
 * {"task_state_store": 10, "asset_state_store": 2}, "total_deleted": 12, "duration_ms": 35}` (with
 * `--dry-run`, the counts that would be deleted).
 *
 * @param report - what cleanup returned.
 * @returns the JSON object.
 */
export function cleanupJson(report: CleanupReport): Record<string, unknown> {
  return {
    dry_run: report.dryRun,
    deleted: { ...report.deleted },
    total_deleted: Object.values(report.deleted).reduce((sum, n) => sum + n, 0),
    duration_ms: report.durationMs,
  };
}

/**
 * Registers `tidemark state-store clean [--dry-run] [--output table|json]`: the one-line summary by
 * default (also when piped), or one JSON object ({@link cleanupJson}) with `--output json`.
 *
 * @param program - the root command.
 */
export function registerStateStoreCommands(program: Command): void {
  const group = commandGroup(program, "state-store", "Task and asset state: garbage collection");

  group
    .command("clean")
    .description(
      "Delete expired task state (in batches of state_store.state_cleanup_batch_size) and the state of deactivated assets, through the configured state_store.backend",
    )
    .option("--dry-run", "only count what would be deleted")
    .option("-o, --output <format>", "table (a one-line summary, the default) or json (one object)")
    .action(async (options: { dryRun?: boolean; output?: string }, command: Command) => {
      // The summary stays the default even when piped, as it always was.
      const format = options.output === undefined ? "table" : outputFormat(options.output);
      await withCliDatabase(command, async ({ config, database, cwd, logger }) => {
        const backend = await createConfiguredStoreBackend({ config, database, cwd });
        const progress = progressReporter(process.stderr.isTTY === true);
        try {
          const report = await cleanupStateStore(backend, database, {
            dryRun: options.dryRun === true,
            onProgress: progress.onProgress,
          });
          progress.stop();
          logger.debug({ report, backend: backend.name }, "state store cleanup finished");
          if (format === "json") printJson(cleanupJson(report));
          else process.stdout.write(`${cleanupSummary(report)}\n`);
        } finally {
          progress.stop();
          await backend.close();
        }
      });
    });
}
