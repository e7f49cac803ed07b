import { useId, useState } from "react";
import { useApi } from "../api/api-context";
import { describeMapIndex, type TaskInstanceRef } from "../api/task-instance-ref";
import { ConfirmDialog } from "../components/confirm-dialog";
import { ErrorMessage } from "../components/error-message";
import { countText } from "../format/count-text";
import { listAllTaskInstances } from "../state/list-all-task-instances";
import { useAsync } from "../state/use-async";

/** Props of {@link TaskClearDialog}. */
export interface TaskClearDialogProps {
  readonly ti: TaskInstanceRef;
  /** Called after the clear, with a sentence saying what went. */
  readonly onCleared: (summary: string) => void;
  readonly onCancel: () => void;
}

/**
 * Confirms clearing task state: this map index only, or every map index of the task. The text names
 * the dag, run, task, map index(es) and how many keys will go, from the task instances' key counts.
 *
 * @param props - see {@link TaskClearDialogProps}.
 */
export function TaskClearDialog(props: TaskClearDialogProps) {
  const { client } = useApi();
  const { ti } = props;
  const name = useId();
  const [all, setAll] = useState(false);
  const [instances, reload] = useAsync(
    async () =>
      (await listAllTaskInstances(client, ti.dagId, ti.runId, ti.taskId)).filter(
        (x) => x.task_id === ti.taskId,
      ),
    [ti.dagId, ti.runId, ti.taskId],
  );
  const list = instances.data ?? [];
  const mapped = list.length > 1 || ti.mapIndex !== -1;
  const thisOne = list.find((x) => x.map_index === ti.mapIndex);
  const thisCount = thisOne?.state_key_count;
  const allCount = list.reduce((sum, x) => sum + x.state_key_count, 0);
  const withKeys = list.filter((x) => x.state_key_count > 0).map((x) => x.map_index);

  const keys = (n: number | undefined) => (n === undefined ? "all keys" : countText(n, "key"));
  const where = `dag “${ti.dagId}” / run “${ti.runId}” / task “${ti.taskId}”`;
  const count = all ? allCount : thisCount;
  const summary = all
    ? `${keys(allCount)} of ${where}, every map index (${countText(list.length, "map index", "map indices")}${
        withKeys.length > 0 ? `; keys in ${withKeys.map((m) => String(m)).join(", ")}` : ""
      })`
    : `${keys(thisCount)} of ${where} / ${describeMapIndex(ti.mapIndex)}`;

  return (
    <ConfirmDialog
      title="Clear task state?"
      confirmLabel={count === undefined ? "Clear" : `Clear ${countText(count, "key")}`}
      errorContext={{ scope: where }}
      onCancel={props.onCancel}
      onConfirm={async () => {
        await client.clearTaskState(ti, { allMapIndices: all });
        props.onCleared(`Cleared ${summary}.`);
      }}
    >
      {instances.status === "error" ? <ErrorMessage error={instances.error} onRetry={reload} /> : null}
      {mapped ? (
        <fieldset className="clear-choice">
          <legend>What to clear</legend>
          <label className="radio">
            <input type="radio" name={name} checked={!all} onChange={() => setAll(false)} />
            Only {describeMapIndex(ti.mapIndex)}
            {thisCount !== undefined ? ` (${countText(thisCount, "key")})` : ""}
          </label>
          <label className="radio">
            <input type="radio" name={name} checked={all} onChange={() => setAll(true)} />
            Every map index of this task
            {instances.data
              ? ` (${countText(list.length, "map index", "map indices")}, ${countText(allCount, "key")})`
              : ""}
          </label>
        </fieldset>
      ) : null}
      <p className="confirm-text" data-testid="clear-summary">
        This deletes {summary}. It cannot be undone.
      </p>
    </ConfirmDialog>
  );
}
