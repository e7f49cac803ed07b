import type { TidemarkConfig } from "@tidemark/config";
import {
  createDagRun,
  createTaskInstance,
  findTaskInstance,
  getTaskInstance,
  registerAsset,
  setTaskInstanceState,
  type TaskInstanceRecord,
  type TidemarkDatabase,
} from "@tidemark/core";
import type { WorkerStoreBackend } from "@tidemark/state";
import { ExecutionApiClient, runTask, type TaskDefinition, type TaskLogger } from "@tidemark/task-sdk";
import type { Flight } from "./flights-data.js";
import { type DelayReportOutcome, delayReportTask } from "./pipeline/delay-report.js";
import { DAG_ID, FLIGHTS_ASSET, TASK_IDS } from "./pipeline/flights-dag.js";
import { type IngestResult, ingestFlightsTask } from "./pipeline/ingest-flights.js";
import type { TokenIssuer } from "./token-issuer.js";
import type { Warehouse } from "./warehouse.js";

/** A dag run to execute. */
export interface DagRunPlan {
  readonly runId: string;
  /** The run's logical day, `YYYY-MM-DD`. */
  readonly day: string;
  /** End of its data interval, inclusive, `YYYY-MM-DDT23:59`. */
  readonly through: string;
  readonly kind: "scheduled" | "manual";
}

/** One try of a task instance, as this invocation ran it. */
export interface TaskAttempt {
  readonly tryNumber: number;
  readonly state: "success" | "failed" | "up_for_retry";
  /** The failure's message. */
  readonly error?: string;
}

/** What happened to one task instance of a dag run. */
export interface TaskOutcome<R> {
  readonly taskId: string;
  readonly taskInstanceId: string;
  /** `already_succeeded`: an earlier invocation finished it, nothing ran. */
  readonly status: "ran" | "already_succeeded";
  readonly attempts: readonly TaskAttempt[];
  /** What the successful try returned. */
  readonly result?: R;
  /** Set when the task instance was left running or failed by an earlier invocation and is run again. */
  readonly recovered?: string;
}

/** What happened to one dag run. */
export interface DagRunOutcome {
  readonly plan: DagRunPlan;
  readonly ingest: TaskOutcome<IngestResult>;
  readonly delayReport: TaskOutcome<DelayReportOutcome>;
}

/** A task instance failed for good: the dag run, and the demo, stop. */
export class DagRunFailedError extends Error {
  /** The failed task's outcome. */
  readonly outcome: TaskOutcome<unknown>;

  constructor(plan: DagRunPlan, outcome: TaskOutcome<unknown>) {
    const last = outcome.attempts[outcome.attempts.length - 1];
    super(
      `dag run ${plan.runId}: ${outcome.taskId} failed on try ${last?.tryNumber ?? "?"}: ${last?.error ?? "unknown error"}`,
    );
    this.name = "DagRunFailedError";
    this.outcome = outcome;
  }
}

/** What the scheduler works with. */
export interface SchedulerOptions {
  readonly database: TidemarkDatabase;
  readonly config: TidemarkConfig;
  /** The Execution API base URL including `/execution`. */
  readonly executionApiUrl: string;
  readonly tokens: TokenIssuer;
  /** The worker backend every task runs with (object storage). */
  readonly workerBackend: WorkerStoreBackend;
  readonly warehouse: Warehouse;
  readonly flights: readonly Flight[];
  /** The task logger of one try. */
  readonly taskLog: (bindings: Record<string, unknown>) => TaskLogger;
  /**
   * `--fail-once`: the first delay report this invocation starts fresh (try 1) in a scheduled run of day
   * `fromDay` or later crashes after `afterPages` pages; once.
   */
  readonly crash?: { readonly fromDay: string; readonly afterPages: number };
  /** Flights per delay report page. */
  readonly pageSize?: number;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The demo's scheduler: it plays Airflow's scheduler and executor. For each dag run it creates the dag
 * run and its task instances in the metastore (metadata API), mints a token per task instance, and runs
 * each task as a worker with `runTask`, which reaches state only through the Execution API over HTTP. A
 * try that fails with retries left (`up_for_retry`) is run again: the worker's `running` report starts
 * the next try number. A task that fails for good stops the dag run.
 *
 * Idempotent across invocations: task instances an earlier invocation finished are not run again, and
 * ones it left `running` (interrupted) or `failed` are run again.
 */
export class Scheduler {
  readonly #o: SchedulerOptions;
  #crashedRunId: string | undefined;

  /** @param options - metastore, configuration, API, tokens, worker backend, warehouse, flights, logging. */
  constructor(options: SchedulerOptions) {
    this.#o = options;
  }

  /** The dag run whose delay report `--fail-once` crashed, once it happened. */
  get crashedRunId(): string | undefined {
    return this.#crashedRunId;
  }

  #crashAfterPages(plan: DagRunPlan, firstTry: boolean): number | undefined {
    const crash = this.#o.crash;
    if (crash === undefined || !firstTry || plan.kind !== "scheduled" || plan.day < crash.fromDay)
      return undefined;
    if (this.#crashedRunId !== undefined && this.#crashedRunId !== plan.runId) return undefined;
    this.#crashedRunId = plan.runId;
    return crash.afterPages;
  }

  /** Registers (or re-activates) the asset "flights". */
  async prepare(): Promise<void> {
    await registerAsset(this.#o.database, { name: FLIGHTS_ASSET.name, uri: FLIGHTS_ASSET.uri });
  }

  /**
   * Runs one dag run: `ingest_flights`, then `delay_report`.
   *
   * @param plan - the run.
   * @returns what happened.
   * @throws DagRunFailedError when a task fails for good; infrastructure errors as they come.
   */
  async runDagRun(plan: DagRunPlan): Promise<DagRunOutcome> {
    const o = this.#o;
    await createDagRun(o.database, { dagId: DAG_ID, runId: plan.runId });
    const ingest = await this.#runTaskInstance<IngestResult>(plan, TASK_IDS.ingest, true, () =>
      ingestFlightsTask({ flights: o.flights, warehouse: o.warehouse, through: plan.through }),
    );
    const delayReport = await this.#runTaskInstance<DelayReportOutcome>(
      plan,
      TASK_IDS.delayReport,
      false,
      (_client, firstTry) => {
        const crashAfterPages = this.#crashAfterPages(plan, firstTry);
        return delayReportTask({
          warehouse: o.warehouse,
          ...(o.pageSize === undefined ? {} : { pageSize: o.pageSize }),
          ...(crashAfterPages === undefined ? {} : { crashAfterPages }),
        });
      },
    );
    return { plan, ingest, delayReport };
  }

  async #taskInstance(plan: DagRunPlan, taskId: string, usesAsset: boolean): Promise<TaskInstanceRecord> {
    const { database } = this.#o;
    const key = { dagId: DAG_ID, runId: plan.runId, taskId };
    const found = await findTaskInstance(database, key);
    if (found !== null) return found;
    const assets = usesAsset ? [FLIGHTS_ASSET.name] : [];
    return createTaskInstance(database, { ...key, inlets: assets, outlets: assets });
  }

  async #runTaskInstance<R>(
    plan: DagRunPlan,
    taskId: string,
    usesAsset: boolean,
    build: (client: ExecutionApiClient, firstTry: boolean) => TaskDefinition<R>,
  ): Promise<TaskOutcome<R>> {
    const o = this.#o;
    let ti = await this.#taskInstance(plan, taskId, usesAsset);
    if (ti.state === "success") {
      return { taskId, taskInstanceId: ti.id, status: "already_succeeded", attempts: [] };
    }
    let recovered: string | undefined;
    if (ti.state === "running") {
      // An earlier invocation died during this try: it counts as failed, the next try starts now.
      recovered = `try ${ti.tryNumber} was interrupted by an earlier invocation`;
      ti = (await setTaskInstanceState(o.database, ti.id, "up_for_retry")).taskInstance;
    } else if (ti.state === "failed") {
      // Like `airflow tasks clear`: a failed task instance is queued again.
      recovered = `try ${ti.tryNumber} failed in an earlier invocation; cleared and queued again`;
      ti = (await setTaskInstanceState(o.database, ti.id, "queued")).taskInstance;
    }
    const firstTry = ti.tryNumber === 1 && ti.state !== "up_for_retry";
    const attempts: TaskAttempt[] = [];
    for (;;) {
      // The worker's `running` report starts the try; after up_for_retry the server counts a new one.
      const tryNumber = ti.state === "up_for_retry" ? ti.tryNumber + 1 : ti.tryNumber;
      const client = new ExecutionApiClient({
        baseUrl: o.executionApiUrl,
        token: await o.tokens.taskToken(ti.id),
      });
      const result = await runTask<R>({
        client,
        taskInstanceId: ti.id,
        task: build(client, firstTry && attempts.length === 0),
        config: o.config,
        workerBackend: o.workerBackend,
        log: o.taskLog({
          dag_id: DAG_ID,
          run_id: plan.runId,
          task_id: taskId,
          ti_id: ti.id,
          try_number: tryNumber,
        }),
      });
      attempts.push({
        tryNumber: result.taskInstance.tryNumber,
        state: result.state,
        ...(result.error === undefined ? {} : { error: messageOf(result.error) }),
      });
      const outcome = {
        taskId,
        taskInstanceId: ti.id,
        status: "ran" as const,
        attempts,
        ...(recovered === undefined ? {} : { recovered }),
      };
      if (result.state === "success") return { ...outcome, result: result.returnValue as R };
      if (result.state === "failed") throw new DagRunFailedError(plan, outcome);
      const next = await getTaskInstance(o.database, ti.id);
      if (next === null) throw new Error(`task instance ${ti.id} disappeared from the metastore`);
      ti = next;
    }
  }
}
