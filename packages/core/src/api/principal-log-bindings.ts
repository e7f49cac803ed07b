import type { FastifyReply, FastifyRequest } from "fastify";
import type { ExecutionPrincipal } from "./execution-tokens.js";

/**
 * The log fields that say who made an Execution API request: `ti_id` for a task token, `watcher_id` for
 * a watcher token.
 *
 * @param principal - the verified principal.
 * @returns the bindings.
 */
export function principalLogBindings(principal: ExecutionPrincipal): Record<string, string> {
  return principal.kind === "task"
    ? { ti_id: principal.taskInstanceId }
    : { watcher_id: principal.watcherId };
}

/**
 * Makes the rest of a request's log lines (handlers, errors, the `request completed` line) carry who
 * made it, once its token is verified.
 *
 * @param request - the request.
 * @param reply - its reply (whose logger writes the completion line).
 * @param principal - the verified principal.
 */
export function bindPrincipalToLog(
  request: FastifyRequest,
  reply: FastifyReply,
  principal: ExecutionPrincipal,
): void {
  const log = request.log.child(principalLogBindings(principal));
  request.log = log;
  reply.log = log;
}
