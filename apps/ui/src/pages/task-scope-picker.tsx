import { useApi } from "../api/api-context";
import { describeMapIndex } from "../api/task-instance-ref";
import type { DagRunSummary, DagSummary, TaskInstanceSummary } from "../api/wire-types";
import { SearchablePicker } from "../components/searchable-picker";
import { countText } from "../format/count-text";
import { formatRelative } from "../format/format-time";
import type { TaskStateRoute } from "../routing/route";
import { groupByTask, listAllTaskInstances, type TaskGroup } from "../state/list-all-task-instances";

/** Props of {@link TaskScopePicker}. */
export interface TaskScopePickerProps {
  readonly route: TaskStateRoute;
  readonly navigate: (route: TaskStateRoute) => void;
  /** Changing it reloads the key counts (after a write or clear). */
  readonly reloadSignal?: number;
}

/**
 * Four pickers, each with search: dag → run → task → map index. Picking one clears the ones after it;
 * a task with a single map index selects it at once.
 *
 * @param props - the current route and how to change it.
 */
export function TaskScopePicker(props: TaskScopePickerProps) {
  const { client } = useApi();
  const { route, navigate } = props;
  const { dagId, runId, taskId } = route;

  return (
    <div className="scope-pickers">
      <SearchablePicker<DagSummary>
        label="Dag"
        deps={[]}
        load={(search, offset, limit) => client.listDags({ search, offset, limit })}
        toOption={(dag) => ({
          id: dag.dag_id,
          label: dag.dag_id,
          detail: countText(dag.dag_run_count, "run"),
        })}
        selectedId={dagId}
        onSelect={(dag) => navigate({ page: "tasks", dagId: dag.dag_id })}
        emptyText="Dags appear here once they have a dag run (tidemark task-instances create, or a scheduler)."
      />
      <SearchablePicker<DagRunSummary>
        label="Run"
        disabledText={dagId === undefined ? "Pick a dag first." : undefined}
        deps={[dagId]}
        load={(search, offset, limit) => client.listDagRuns(dagId ?? "", { search, offset, limit })}
        toOption={(run) => ({ id: run.run_id, label: run.run_id, detail: formatRelative(run.created_at) })}
        selectedId={runId}
        onSelect={(run) => navigate({ page: "tasks", dagId: run.dag_id, runId: run.run_id })}
        emptyText="This dag has no runs."
      />
      <SearchablePicker<TaskGroup>
        label="Task"
        disabledText={runId === undefined ? "Pick a run first." : undefined}
        deps={[dagId, runId]}
        refreshKey={props.reloadSignal}
        load={async (search, offset, limit) => {
          const groups = groupByTask(await listAllTaskInstances(client, dagId ?? "", runId ?? "", search));
          return { items: groups.slice(offset, offset + limit), total: groups.length };
        }}
        toOption={(group) => ({
          id: group.taskId,
          label: group.taskId,
          detail:
            group.instances.length > 1
              ? `${countText(group.instances.length, "map index", "map indices")} · ${countText(group.keyCount, "key")}`
              : countText(group.keyCount, "key"),
        })}
        selectedId={taskId}
        onSelect={(group) => {
          const only = group.instances.length === 1 ? group.instances[0] : undefined;
          navigate({
            page: "tasks",
            dagId: dagId ?? "",
            runId: runId ?? "",
            taskId: group.taskId,
            ...(only ? { mapIndex: only.map_index } : {}),
          });
        }}
        emptyText="This run has no task instances."
      />
      <SearchablePicker<TaskInstanceSummary>
        label="Map index"
        disabledText={taskId === undefined ? "Pick a task first." : undefined}
        deps={[dagId, runId, taskId]}
        refreshKey={props.reloadSignal}
        load={async (search, offset, limit) => {
          const all = await listAllTaskInstances(client, dagId ?? "", runId ?? "", taskId ?? "");
          const mine = all.filter(
            (ti) => ti.task_id === taskId && (search === "" || String(ti.map_index).includes(search)),
          );
          return { items: mine.slice(offset, offset + limit), total: mine.length };
        }}
        toOption={(ti) => ({
          id: String(ti.map_index),
          label: describeMapIndex(ti.map_index),
          detail: `${ti.state ?? "no state"} · ${countText(ti.state_key_count, "key")}`,
        })}
        selectedId={route.mapIndex !== undefined ? String(route.mapIndex) : undefined}
        onSelect={(ti) =>
          navigate({
            page: "tasks",
            dagId: ti.dag_id,
            runId: ti.run_id,
            taskId: ti.task_id,
            mapIndex: ti.map_index,
          })
        }
        emptyText="This task has no task instances in this run."
      />
    </div>
  );
}
