import { describeMapIndex } from "../api/task-instance-ref";
import type { LastUpdatedBy } from "../api/wire-types";
import { writerTaskInstance } from "../api/writer-task-instance";
import { formatRoute, taskInstanceRoute } from "../routing/route";

/**
 * Words for the writer of an asset state key.
 *
 * @param writer - `last_updated_by` from the API.
 * @returns "task etl / run r1 / load / map index 2", "api", "watcher" or "unknown".
 */
export function describeWriter(writer: LastUpdatedBy | null | undefined): string {
  if (!writer) return "unknown";
  if (writer.kind !== "task") return writer.kind;
  const map = writer.map_index !== null && writer.map_index !== -1 ? ` [${writer.map_index}]` : "";
  return `task ${writer.dag_id ?? "?"} / ${writer.run_id ?? "?"} / ${writer.task_id ?? "?"}${map}`;
}

/**
 * Shows who last wrote a state key: a task instance (a link to its task instance page), the API (this UI
 * or a script) or a watcher (plain text).
 *
 * @param props - `writer`, the entry's `last_updated_by`.
 */
export function LastUpdatedByText(props: { writer: LastUpdatedBy | null | undefined }) {
  const w = props.writer;
  if (!w) return <span className="muted">unknown</span>;
  if (w.kind !== "task") {
    return <span className={`badge badge-writer badge-writer-${w.kind}`}>{w.kind}</span>;
  }
  const ti = writerTaskInstance(w);
  const text = `${w.dag_id ?? "?"} / ${w.run_id ?? "?"} / ${w.task_id ?? "?"}${
    w.map_index !== null && w.map_index !== -1 ? ` [${w.map_index}]` : ""
  }`;
  return (
    <span className="writer-task">
      <span className="badge badge-writer badge-writer-task">task</span>{" "}
      {ti ? (
        <a
          href={formatRoute(taskInstanceRoute(ti))}
          title={`Open the task instance: dag ${ti.dagId}, run ${ti.runId}, task ${ti.taskId}, ${describeMapIndex(ti.mapIndex)}`}
        >
          {text}
        </a>
      ) : (
        <span>{text}</span>
      )}
    </span>
  );
}
