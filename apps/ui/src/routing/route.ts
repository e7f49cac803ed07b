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

/** Where the UI is: a page and its selections. */
export type Route = TaskStateRoute | AssetStateRoute;

/**
 * Reads a route from `location.hash`, e.g. `#/tasks?dag_id=etl&run_id=r1&task_id=load&map_index=-1&key=k`.
 * Unknown pages fall back to the task state page; a map index that is not an integer is dropped.
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
  if (path.replace(/^\/+/, "") === "assets") {
    return withDefined({ page: "assets", asset: get("asset"), key: get("key") });
  }
  const mapText = get("map_index");
  const mapIndex = mapText !== undefined && /^-?\d+$/.test(mapText) ? Number(mapText) : undefined;
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

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at === -1 ? [text, ""] : [text.slice(0, at), text.slice(at + 1)];
}

function withDefined<T extends object>(route: T): T {
  return Object.fromEntries(Object.entries(route).filter(([, v]) => v !== undefined)) as T;
}
