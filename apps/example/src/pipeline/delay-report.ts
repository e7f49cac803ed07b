import { randomUUID } from "node:crypto";
import { defineTask, NEVER_EXPIRE, type TaskDefinition } from "@tidemark/task-sdk";
import type { DelayReportResult, Warehouse } from "../warehouse.js";
import { TASK_IDS, TASK_KEYS } from "./flights-dag.js";

/** Flights per page of the delay report. */
export const DEFAULT_PAGE_SIZE = 50;

/** A flight counts as delayed above this many minutes (the US DOT on-time definition). */
export const DELAYED_AFTER_MINUTES = 15;

/** How long a checkpoint is kept when a run is abandoned, in milliseconds (7 days). */
export const CHECKPOINT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/** The task state value `checkpoint`: where the report stands after its last finished page. */
export interface DelayReportCheckpoint {
  /** The warehouse row id of the last processed flight (keyset cursor). */
  readonly cursor: number;
  /** Pages finished. */
  readonly pagesDone: number;
  readonly pages: number;
  /** The result over the finished pages. */
  readonly partial: DelayReportResult;
}

/** What the delay report returns. */
export interface DelayReportOutcome {
  readonly jobId: string;
  /** True when this try submitted the job, false when it re-attached to the job in task state. */
  readonly submitted: boolean;
  readonly pages: number;
  /** Pages an earlier try had finished, 0 when this try started from the beginning. */
  readonly resumedAfterPages: number;
  readonly result: DelayReportResult;
}

/** What the delay report needs besides its context. */
export interface DelayReportOptions {
  readonly warehouse: Warehouse;
  /** Flights per page. Default {@link DEFAULT_PAGE_SIZE}. */
  readonly pageSize?: number;
  /**
   * Fault injection for the demo's `--fail-once`: after finishing (and checkpointing) this many pages,
   * the attempt crashes. Undefined: no crash.
   */
  readonly crashAfterPages?: number;
}

const EMPTY: DelayReportResult = Object.freeze({ flights: 0, delayed: 0, totalDelay: 0, worstDelay: null });

/**
 * The task `delay_report`, the task state checkpoint pattern. It works through the flights its run
 * loaded, page by page, as an "external job":
 * - the job id lives in task state with `NEVER_EXPIRE`; a retry re-attaches to the job instead of
 *   submitting another one (the id is stored before the job is submitted, so a crash in between only
 *   makes the retry submit the same id);
 * - after each page the cursor and partial result are checkpointed in task state; a retry resumes after
 *   the last checkpointed page instead of starting over;
 * - when the job is done it deletes the checkpoint and keeps the job id (`NEVER_EXPIRE`), the record of
 *   which job made the day's report; with `state_store.clear_on_success` the server clears both when the
 *   task succeeds.
 *
 * @param options - warehouse, page size, fault injection.
 * @returns the task definition (one retry).
 */
export function delayReportTask(options: DelayReportOptions): TaskDefinition<DelayReportOutcome> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const { warehouse } = options;
  return defineTask<DelayReportOutcome>({
    taskId: TASK_IDS.delayReport,
    retries: 1,
    async execute(ctx) {
      const state = ctx.taskStateStore;
      const total = warehouse.countLoadedBy(ctx.runId);
      const pages = Math.ceil(total / pageSize);

      let jobId = await state.get<string>(TASK_KEYS.jobId);
      const checkpoint = await state.get<DelayReportCheckpoint>(TASK_KEYS.checkpoint);
      const submitted = jobId === undefined;
      if (jobId === undefined) {
        jobId = `delay-report-${randomUUID()}`;
        await state.set(TASK_KEYS.jobId, jobId, { retentionMs: NEVER_EXPIRE });
        warehouse.submitJob(jobId, ctx.runId, pages);
        ctx.log.info({ job_id: jobId, pages }, "submitted the external job");
      } else {
        if (warehouse.attachJob(jobId, checkpoint?.pagesDone ?? null) === null) {
          warehouse.submitJob(jobId, ctx.runId, pages);
        }
        ctx.log.info(
          { job_id: jobId, pages_done: checkpoint?.pagesDone ?? 0, pages },
          "re-attached to the external job found in task state",
        );
      }

      let cursor = checkpoint?.cursor ?? 0;
      let pagesDone = checkpoint?.pagesDone ?? 0;
      let partial = checkpoint?.partial ?? EMPTY;
      while (pagesDone < pages) {
        const page = warehouse.pageLoadedBy(ctx.runId, cursor, pageSize);
        const lastRow = page[page.length - 1];
        if (lastRow === undefined) break;
        let { flights, delayed, totalDelay, worstDelay } = partial;
        for (const f of page) {
          flights += 1;
          if (f.delay > DELAYED_AFTER_MINUTES) delayed += 1;
          totalDelay += f.delay;
          worstDelay = worstDelay === null ? f.delay : Math.max(worstDelay, f.delay);
        }
        partial = { flights, delayed, totalDelay, worstDelay };
        cursor = lastRow.rowId;
        pagesDone += 1;
        const next: DelayReportCheckpoint = { cursor, pagesDone, pages, partial };
        await state.set(TASK_KEYS.checkpoint, next, { retentionMs: CHECKPOINT_RETENTION_MS });
        if (options.crashAfterPages === pagesDone && pagesDone < pages) {
          throw new Error(
            `simulated worker crash after page ${pagesDone} of ${pages} (--fail-once); the checkpoint is in task state`,
          );
        }
      }
      warehouse.finishJob(jobId, partial);
      // The job is done: its checkpoint is no longer needed, its id stays as the record of the report.
      await state.delete(TASK_KEYS.checkpoint);
      return { jobId, submitted, pages, resumedAfterPages: checkpoint?.pagesDone ?? 0, result: partial };
    },
  });
}
