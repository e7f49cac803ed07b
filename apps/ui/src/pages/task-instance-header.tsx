import { useApi } from "../api/api-context";
import { describeMapIndex, type TaskInstanceRef } from "../api/task-instance-ref";
import { Breadcrumb } from "../components/breadcrumb";
import { ErrorMessage } from "../components/error-message";
import { Instant } from "../components/instant";
import { StateBadge } from "../components/state-badge";
import { formatRoute, taskInstanceRoute } from "../routing/route";
import { loadTaskInstanceFacts } from "../state/load-task-instance-facts";
import { useAsync } from "../state/use-async";

/**
 * The sticky head of a task instance: the breadcrumb dag → run → task → map index (each a link back to
 * that level of the task state page, the last to this task instance's own page), then the run's dates
 * and state and the task instance's state and try.
 *
 * @param props - `ti`, the task instance; `reloadSignal` reloads the facts when it changes.
 */
export function TaskInstanceHeader(props: { ti: TaskInstanceRef; reloadSignal?: number }) {
  const { client } = useApi();
  const { ti } = props;
  const [facts, reload] = useAsync(
    () => loadTaskInstanceFacts(client, ti),
    [client, ti.dagId, ti.runId, ti.taskId, ti.mapIndex],
    props.reloadSignal,
  );
  const run = facts.data?.run;
  const instance = facts.data?.instance;
  const loading = facts.status === "loading" && !facts.data;
  const unknown = <span className="muted">{loading ? "…" : "not known"}</span>;

  return (
    <div className="ti-header">
      <Breadcrumb
        label="Task instance"
        crumbs={[
          { kind: "Dag", label: ti.dagId, href: formatRoute({ page: "tasks", dagId: ti.dagId }) },
          {
            kind: "Run",
            label: ti.runId,
            href: formatRoute({ page: "tasks", dagId: ti.dagId, runId: ti.runId }),
          },
          {
            kind: "Task",
            label: ti.taskId,
            href: formatRoute({ page: "tasks", dagId: ti.dagId, runId: ti.runId, taskId: ti.taskId }),
          },
          {
            kind: "Map index",
            label: ti.mapIndex === -1 ? "-1 (unmapped)" : String(ti.mapIndex),
            href: formatRoute(taskInstanceRoute(ti)),
          },
        ]}
      />
      {facts.status === "error" ? (
        <ErrorMessage error={facts.error} onRetry={reload} />
      ) : (
        <dl className="ti-facts" aria-label={`Facts of ${describeMapIndex(ti.mapIndex)}`}>
          {run?.logical_date !== undefined ? (
            <div>
              <dt>Logical date</dt>
              <dd>
                <Instant iso={run.logical_date} nullText="None (not scheduled for an interval)" />
              </dd>
            </div>
          ) : null}
          <div>
            <dt>Run date</dt>
            <dd data-testid="run-date">
              {run ? <Instant iso={run.run_after ?? run.created_at} /> : unknown}
            </dd>
          </div>
          <div>
            <dt>Run state</dt>
            <dd data-testid="run-state">
              {run?.state !== undefined ? (
                <StateBadge state={run.state} />
              ) : run ? (
                <span className="muted" title="This API server does not report dag run states">
                  not reported
                </span>
              ) : (
                unknown
              )}
            </dd>
          </div>
          <div>
            <dt>Task instance state</dt>
            <dd data-testid="ti-state">{instance ? <StateBadge state={instance.state} /> : unknown}</dd>
          </div>
          {instance ? (
            <div>
              <dt>Try</dt>
              <dd>{instance.try_number}</dd>
            </div>
          ) : null}
        </dl>
      )}
      {facts.status === "ok" && !instance ? (
        <p className="message message-info">
          The API server lists no such task instance in this run. Its state below may be empty or gone.
        </p>
      ) : null}
    </div>
  );
}
