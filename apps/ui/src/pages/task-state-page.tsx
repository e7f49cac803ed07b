import { useState } from "react";
import type { TaskInstanceRef } from "../api/task-instance-ref";
import { EmptyState } from "../components/empty-state";
import type { TaskStateRoute } from "../routing/route";
import { TaskInstanceView } from "./task-instance-view";
import { TaskScopePicker } from "./task-scope-picker";

/** Props of {@link TaskStatePage}. */
export interface TaskStatePageProps {
  readonly route: TaskStateRoute;
  readonly navigate: (route: TaskStateRoute, options?: { replace?: boolean }) => void;
}

/**
 * The task state page: pick dag, run, task and map index, then browse, add, edit, delete and clear that
 * task instance's keys under its header (whose last crumb opens the task instance's own page). Everything
 * picked lives in the URL.
 *
 * @param props - the route and how to change it.
 */
export function TaskStatePage(props: TaskStatePageProps) {
  const { route, navigate } = props;
  const [reloadSignal, setReloadSignal] = useState(0);

  const ti: TaskInstanceRef | undefined =
    route.dagId !== undefined &&
    route.runId !== undefined &&
    route.taskId !== undefined &&
    route.mapIndex !== undefined
      ? { dagId: route.dagId, runId: route.runId, taskId: route.taskId, mapIndex: route.mapIndex }
      : undefined;

  return (
    <>
      <h1>Task state</h1>
      <TaskScopePicker route={route} navigate={(next) => navigate(next)} reloadSignal={reloadSignal} />
      {ti ? (
        <TaskInstanceView
          key={JSON.stringify(ti)}
          ti={ti}
          selectedKey={route.key}
          onSelectKey={(key, options) => navigate({ ...route, key }, options)}
          onChanged={() => setReloadSignal((n) => n + 1)}
        />
      ) : (
        <EmptyState title="Pick a task instance to see its state.">
          <p>Choose a dag, a run, a task and a map index above. Each list can be searched.</p>
        </EmptyState>
      )}
    </>
  );
}
