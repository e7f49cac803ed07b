import type { TaskInstanceRoute } from "../routing/route";
import { TaskInstanceView } from "./task-instance-view";

/** Props of {@link TaskInstancePage}. */
export interface TaskInstancePageProps {
  readonly route: TaskInstanceRoute;
  readonly navigate: (route: TaskInstanceRoute, options?: { replace?: boolean }) => void;
}

/**
 * The page of one task instance (`#/dags/…/runs/…/tasks/…/map-index/…`): the breadcrumb back to the
 * dag, run and task, the run's and task instance's facts, and its task state. The open key lives in the URL.
 *
 * @param props - the route and how to change it.
 */
export function TaskInstancePage(props: TaskInstancePageProps) {
  const { route, navigate } = props;
  const { key: _key, page: _page, ...ti } = route;
  return (
    <>
      <h1>Task instance</h1>
      <TaskInstanceView
        ti={ti}
        selectedKey={route.key}
        onSelectKey={(key, options) => {
          const { key: _old, ...rest } = route;
          navigate(key === undefined ? rest : { ...rest, key }, options);
        }}
      />
    </>
  );
}
