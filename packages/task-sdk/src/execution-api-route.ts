/** A request's route template and operation name, for metrics and span names. */
export interface ExecutionApiRoute {
  /** The template under the base URL, for example `/store/ti/{ti_id}/{key}`. */
  readonly route: string;
  /** The call, snake_case, for example `get_task_state`. */
  readonly operation: string;
}

const VERBS: Readonly<Record<string, string>> = { GET: "get", PUT: "set", PATCH: "update", DELETE: "delete" };

/**
 * The route template and operation of an Execution API request path (relative to the base URL): ids,
 * keys and the query are dropped, so the result has few values.
 *
 * @param method - the HTTP method.
 * @param path - the path the client sends, for example `/store/ti/<id>/<key>?…`.
 * @returns the template and the operation (`other` for a path the client does not call).
 */
export function executionApiRouteOf(method: string, path: string): ExecutionApiRoute {
  const segments = (path.split("?")[0] as string).split("/").filter((s) => s !== "");
  const verb = VERBS[method] ?? method.toLowerCase();
  if (segments[0] === "task-instances") {
    if (segments.length === 2) return { route: "/task-instances/{ti_id}", operation: "get_task_instance" };
    return { route: "/task-instances/{ti_id}/state", operation: "set_task_instance_state" };
  }
  if (segments[0] === "tidemark" && segments[1] === "extensions") {
    return { route: "/tidemark/extensions", operation: "get_extensions" };
  }
  if (segments[0] === "store" && segments[1] === "ti") {
    if (segments.length === 3) return { route: "/store/ti/{ti_id}", operation: "clear_task_state" };
    return { route: "/store/ti/{ti_id}/{key}", operation: `${verb}_task_state` };
  }
  if (segments[0] === "store" && segments[1] === "asset") {
    const route = `/store/asset/${segments[2]}/${segments[3]}`;
    return { route, operation: segments[3] === "clear" ? "clear_asset_state" : `${verb}_asset_state` };
  }
  return { route: "other", operation: "other" };
}
