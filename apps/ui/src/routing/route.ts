/** The task state page and what is picked on it; every field lives in the URL. */
export interface TaskStateRoute {
  readonly page: "tasks";
  readonly dagId?: string;
  readonly runId?: string;
  readonly taskId?: string;
  readonly mapIndex?: number;
  /** The key shown in the detail panel. */
  readonly key?: string;
}

/** The asset state page: the asset (by name, which is unique) and the key shown. */
export interface AssetStateRoute {
  readonly page: "assets";
  readonly asset?: string;
  readonly key?: string;
}

/**
 * The page of one task instance, named by its path: `#/dags/<dag_id>/runs/<run_id>/tasks/<task_id>/map-index/<n>`
 * (each segment percent-encoded), with the open key in `?key=`.
 */
export interface TaskInstanceRoute {
  readonly page: "task-instance";
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  /** -1 for an unmapped task. */
  readonly mapIndex: number;
  /** The key shown in the detail panel. */
  readonly key?: string;
}

/** Where the UI is: a page and its selections. */
export type Route = TaskStateRoute | TaskInstanceRoute | AssetStateRoute;

/**
 * Reads a route from `location.hash`, e.g. `#/tasks?dag_id=etl&run_id=r1&task_id=load&map_index=-1&key=k`
 * or `#/dags/etl/runs/r1/tasks/load/map-index/-1?key=k`. Unknown pages fall back to the task state page;
 * a map index that is not an integer is dropped (a task instance path with one falls back to the task
 * state page with what it names).
 *
 * @param hash - `location.hash` (with or without the leading "#").
 * @returns the route.
 */
export function parseRoute(hash: string): Route {
  const text = hash.replace(/^#/, "");
  const [path = "", query = ""] = splitOnce(text, "?");
  const params = new URLSearchParams(query);
  const get = (name: string) => {
    const value = params.get(name);
    return value === null || value === "" ? undefined : value;
  };
  const trimmed = path.replace(/^\/+/, "");
  if (trimmed === "assets") {
    return withDefined({ page: "assets", asset: get("asset"), key: get("key") });
  }
  const segments = trimmed.split("/");
  if (segments[0] === "dags" && segments.length === 8) {
    const [, dag, runsWord, run, tasksWord, task, mapWord, mapText] = segments.map(decodeSegment);
    if (runsWord === "runs" && tasksWord === "tasks" && mapWord === "map-index" && dag && run && task) {
      const mapIndex = parseMapIndex(mapText);
      if (mapIndex === undefined) return { page: "tasks", dagId: dag, runId: run, taskId: task };
      return withDefined({
        page: "task-instance",
        dagId: dag,
        runId: run,
        taskId: task,
        mapIndex,
        key: get("key"),
      });
    }
  }
  const mapIndex = parseMapIndex(get("map_index"));
  return withDefined({
    page: "tasks",
    dagId: get("dag_id"),
    runId: get("run_id"),
    taskId: get("task_id"),
    mapIndex,
    key: get("key"),
  });
}

/**
 * Writes a route as a hash, the inverse of {@link parseRoute}.
 *
 * @param route - the route.
 * @returns the hash, starting with "#/".
 */
export function formatRoute(route: Route): string {
  const params = new URLSearchParams();
  if (route.page === "task-instance") {
    if (route.key !== undefined) params.set("key", route.key);
    const query = params.toString();
    const path = ["dags", route.dagId, "runs", route.runId, "tasks", route.taskId, "map-index"]
      .map(encodeURIComponent)
      .join("/");
    return `#/${path}/${route.mapIndex}${query ? `?${query}` : ""}`;
  }
  if (route.page === "tasks") {
    if (route.dagId !== undefined) params.set("dag_id", route.dagId);
    if (route.runId !== undefined) params.set("run_id", route.runId);
    if (route.taskId !== undefined) params.set("task_id", route.taskId);
    if (route.mapIndex !== undefined) params.set("map_index", String(route.mapIndex));
  } else if (route.asset !== undefined) {
    params.set("asset", route.asset);
  }
  if (route.key !== undefined) params.set("key", route.key);
  const query = params.toString();
  return `#/${route.page}${query ? `?${query}` : ""}`;
}

/**
 * The page of a task instance, for links to it.
 *
 * @param ti - the task instance (dag, run, task, map index).
 * @param key - a key to open, if any.
 * @returns the route.
 */
export function taskInstanceRoute(
  ti: { dagId: string; runId: string; taskId: string; mapIndex: number },
  key?: string,
): TaskInstanceRoute {
  return {
    page: "task-instance",
    dagId: ti.dagId,
    runId: ti.runId,
    taskId: ti.taskId,
    mapIndex: ti.mapIndex,
    ...(key !== undefined ? { key } : {}),
  };
}

function parseMapIndex(text: string | undefined): number | undefined {
  return text !== undefined && /^-?\d+$/.test(text) ? Number(text) : undefined;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return "";
  }
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at === -1 ? [text, ""] : [text.slice(0, at), text.slice(at + 1)];
}

function withDefined<T extends object>(route: T): T {
  return Object.fromEntries(Object.entries(route).filter(([, v]) => v !== undefined)) as T;
}
