/** The response header listing Tidemark's Execution API extensions (comma-separated tokens). */
export const EXTENSIONS_HEADER = "tidemark-extensions";

/**
 * A Tidemark behaviour beyond Airflow's Execution API that clients may rely on once it is advertised:
 * - `conditional-requests`: ETags on GET/PUT and RFC 9110 `If-Match` / `If-None-Match: *` on PUT and
 *   DELETE of a key (412 when the precondition fails); only when the server backend has compare-and-set;
 * - `default-expiry`: a task state PUT may send `"expires_at": "default"` for now +
 *   `state_store.default_retention_days`;
 * - `declared-assets`: asset state is limited to the task instance's declared inlets and outlets (403
 *   otherwise), and watcher tokens to their granted assets;
 * - `task-instance-info`: `GET /task-instances/{id}` and `PATCH /task-instances/{id}/state`.
 */
export type ExecutionExtension =
  | "conditional-requests"
  | "default-expiry"
  | "declared-assets"
  | "task-instance-info";

/**
 * The extensions a server advertises, in a stable order.
 *
 * @param options - whether the server backend has compare-and-set.
 * @returns the tokens.
 */
export function executionExtensions(options: { compareAndSet: boolean }): ExecutionExtension[] {
  return [
    ...(options.compareAndSet ? (["conditional-requests"] as const) : []),
    "default-expiry",
    "declared-assets",
    "task-instance-info",
  ];
}
