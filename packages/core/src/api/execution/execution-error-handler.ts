import { StateStoreError } from "@tidemark/state";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { sendApiError, toApiError } from "../api-error.js";

/**
 * Sends an error in the Execution API's shape: `{"detail": {"reason", "message", "code"}}` (reference: the
 * Execution API's `{"detail": {"reason", "message"}}`), the code also in `Tidemark-Error-Code`. An
 * `HttpStatusError` brings its own status (400 for malformed conditional headers, 500 for a missing dag
 * run on API versions before 2026-10-30). A 412 carries the current version as its `ETag` when a live
 * value exists (`details.currentVersion`).
 *
 * @param reply - the reply.
 * @param error - the error.
 * @param status - the HTTP status (default the error's own).
 * @returns the reply, sent.
 */
export function sendExecutionError(
  reply: FastifyReply,
  error: StateStoreError,
  status?: number,
): FastifyReply {
  // One sender for both APIs, so a 412's ETag is read from the error the same way everywhere.
  return sendApiError(reply, error, status === undefined ? {} : { status });
}

/**
 * Installs the Execution API's error and not-found handlers on its encapsulated context.
 *
 * @param app - the plugin's instance.
 * @param options - the server's body limit in bytes, for 413 messages.
 */
export function installExecutionErrorHandlers(app: FastifyInstance, options: { bodyLimit: number }): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const mapped = toApiError(error, { bodyLimit: options.bodyLimit });
    if (mapped.status >= 500) request.log.error({ err: error }, "request failed");
    else request.log.debug({ code: mapped.error.code }, mapped.error.message);
    const explicit = mapped.error === error ? undefined : mapped.status;
    return sendExecutionError(reply, mapped.error, explicit);
  });
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) =>
    sendExecutionError(
      reply,
      new StateStoreError(
        "ROUTE_NOT_FOUND",
        `no route ${request.method} ${request.url.split("?")[0]}; the Execution API lives under /execution (see /execution/openapi.json)`,
      ),
    ),
  );
}
