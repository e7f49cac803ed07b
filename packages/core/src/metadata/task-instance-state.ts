import { StateStoreError } from "@tidemark/state";
import { type Selectable, sql } from "kysely";
import { toBackendError } from "../database/driver-error.js";
import type { TaskInstanceTable } from "../database/schema.js";
import type { TidemarkDatabase } from "../database/tidemark-database.js";
import { withWriteTransaction } from "../database/write-transaction.js";
import type { TaskInstanceRecord } from "./task-instance-record.js";
import { requireTaskInstanceState, type TaskInstanceState } from "./task-instance-states.js";
import { loadTaskInstances, TASK_INSTANCE_ID_PATTERN } from "./task-instances.js";

/** Options of {@link setTaskInstanceState}. */
export interface SetTaskInstanceStateOptions {
  /**
   * Also delete the task instance's task state rows (its own map index) in the same transaction: what
   * `state_store.clear_on_success` asks for when a task succeeds. Asset state is never touched.
   */
  clearTaskState?: boolean;
}

/** What {@link setTaskInstanceState} did. */
export interface SetTaskInstanceStateResult {
  /** The task instance after the change. */
  readonly taskInstance: TaskInstanceRecord;
  /** Task state keys deleted (0 unless `clearTaskState`). */
  readonly clearedKeys: number;
}

/**
 * Changes a task instance's state in one transaction: going from `up_for_retry` to `running` increments
 * `try_number` (in the UPDATE itself, so two reports cannot both increment); with `clearTaskState` the
 * task instance's task state rows are deleted in the same transaction.
 *
 * @param database - the metastore.
 * @param id - the task instance id.
 * @param state - the new state.
 * @param options - `clearTaskState`.
 * @returns the task instance and the number of task state keys cleared.
 * @throws StateStoreError `TASK_INSTANCE_NOT_FOUND`; `INVALID_VALUE` for an unknown state;
 *   `BACKEND_UNAVAILABLE`.
 */
export async function setTaskInstanceState(
  database: TidemarkDatabase,
  id: string,
  state: TaskInstanceState,
  options: SetTaskInstanceStateOptions = {},
): Promise<SetTaskInstanceStateResult> {
  const next = requireTaskInstanceState(state);
  const { codec } = database;
  const notFound = () =>
    new StateStoreError("TASK_INSTANCE_NOT_FOUND", `task instance ${JSON.stringify(id)} does not exist`, {
      details: { id },
    });
  if (typeof id !== "string" || !TASK_INSTANCE_ID_PATTERN.test(id)) throw notFound();
  try {
    return await withWriteTransaction(database, async (trx) => {
      const update = trx
        .updateTable("task_instance")
        // try_number before state: MySQL assigns left to right, and the CASE reads the old state.
        .set((eb) => ({
          try_number:
            next === "running"
              ? eb
                  .case()
                  .when("state", "=", "up_for_retry")
                  .then(eb("try_number", "+", sql.lit(1)))
                  .else(eb.ref("try_number"))
                  .end()
              : eb.ref("try_number"),
          state: next,
          updated_at: codec.timestamp(new Date()),
        }))
        .where("id", "=", id.toLowerCase());
      const columns = ["id", "dag_run_id", "task_id", "region_id", "map_index"] as const;
      let row: Pick<Selectable<TaskInstanceTable>, (typeof columns)[number]> | undefined;
      if (database.adapter.mysqlSyntax) {
        // No RETURNING on MySQL: the row is read after the update, in the same transaction.
        await update.execute();
        row = await trx
          .selectFrom("task_instance")
          .select(columns)
          .where("id", "=", id.toLowerCase())
          .executeTakeFirst();
      } else {
        row = await update.returning(columns).executeTakeFirst();
      }
      if (row === undefined) throw notFound();
      let clearedKeys = 0;
      if (options.clearTaskState) {
        const result = await trx
          .deleteFrom("task_state_store")
          .where("dag_run_id", "=", row.dag_run_id)
          .where("task_id", "=", row.task_id)
          .where("region_id", "=", row.region_id)
          .where("map_index", "=", row.map_index)
          .executeTakeFirst();
        clearedKeys = Number(result.numDeletedRows);
      }
      const [taskInstance] = await loadTaskInstances(trx, codec, [row.id]);
      if (taskInstance === undefined) throw notFound();
      return { taskInstance, clearedKeys };
    });
  } catch (error) {
    throw toBackendError(error, database, `setting the state of task instance ${id}`);
  }
}
