import { useMemo, useState } from "react";
import { useApi } from "../api/api-context";
import type { TaskInstanceRef } from "../api/task-instance-ref";
import { EmptyState } from "../components/empty-state";
import { StateBrowser } from "../components/state-browser";
import type { TaskStateRoute } from "../routing/route";
import { taskStateCollection } from "../state/state-collection";
import { TaskClearDialog } from "./task-clear-dialog";
import { TaskScopePicker } from "./task-scope-picker";

/** Props of {@link TaskStatePage}. */
export interface TaskStatePageProps {
  readonly route: TaskStateRoute;
  readonly navigate: (route: TaskStateRoute, options?: { replace?: boolean }) => void;
}

/**
 * The task state page: pick dag, run, task and map index, then browse, add, edit, delete and clear that
 * task instance's keys. Everything picked lives in the URL.
 *
 * @param props - the route and how to change it.
 */
export function TaskStatePage(props: TaskStatePageProps) {
  const { client } = useApi();
  const { route, navigate } = props;
  const [clearing, setClearing] = useState(false);
  const [reloadSignal, setReloadSignal] = useState(0);
  const [status, setStatus] = useState<string | undefined>(undefined);

  const ti: TaskInstanceRef | undefined =
    route.dagId !== undefined &&
    route.runId !== undefined &&
    route.taskId !== undefined &&
    route.mapIndex !== undefined
      ? { dagId: route.dagId, runId: route.runId, taskId: route.taskId, mapIndex: route.mapIndex }
      : undefined;
  const tiKey = ti ? JSON.stringify(ti) : "";
  const collection = useMemo(() => (ti ? taskStateCollection(client, ti) : undefined), [client, tiKey]);

  return (
    <>
      <h1>Task state</h1>
      <TaskScopePicker route={route} navigate={(next) => navigate(next)} reloadSignal={reloadSignal} />
      {ti && collection ? (
        <StateBrowser
          collection={collection}
          selectedKey={route.key}
          onSelectKey={(key) => navigate({ ...route, key })}
          reloadSignal={reloadSignal}
          onChanged={() => setReloadSignal((n) => n + 1)}
          status={status}
          toolbar={
            <button type="button" className="danger" onClick={() => setClearing(true)}>
              Clear…
            </button>
          }
          emptyHint={
            <p>
              No task state for this task instance. Tasks write state with{" "}
              <code>ctx.taskStateStore.set(key, value)</code>; you can also add a key here with “Add key”.
            </p>
          }
        />
      ) : (
        <EmptyState title="Pick a task instance to see its state.">
          <p>Choose a dag, a run, a task and a map index above. Each list can be searched.</p>
        </EmptyState>
      )}
      {clearing && ti ? (
        <TaskClearDialog
          ti={ti}
          onCancel={() => setClearing(false)}
          onCleared={(summary) => {
            setClearing(false);
            setStatus(summary);
            setReloadSignal((n) => n + 1);
            if (route.key !== undefined) navigate({ ...route, key: undefined }, { replace: true });
          }}
        />
      ) : null}
    </>
  );
}
