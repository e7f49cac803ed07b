import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { FastifyInstance } from "fastify";

/** The header a request id arrives in and every answer echoes it in. */
export const REQUEST_ID_HEADER = "x-request-id";

/** Longest incoming request id accepted, in characters. */
export const MAX_REQUEST_ID_LENGTH = 128;

// Letters, digits and the punctuation ids use (UUIDs, ULIDs, trace ids, `svc-1/req.2`): nothing a log
// reader or a terminal could mistake for structure.
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:/+=-]+$/;

/**
 * The id of a request: a well-formed incoming `X-Request-Id` (1 to {@link MAX_REQUEST_ID_LENGTH} letters,
 * digits or `. _ : / + = -`), so a proxy's id follows the request through, else a random UUID. Fastify's
 * `genReqId`; the id is the `reqId` of every log line of the request.
 *
 * @param request - the raw request.
 * @returns the id.
 */
export function requestIdOf(request: IncomingMessage): string {
  const header = request.headers[REQUEST_ID_HEADER];
  const incoming = Array.isArray(header) ? header[0] : header;
  if (
    typeof incoming === "string" &&
    incoming.length <= MAX_REQUEST_ID_LENGTH &&
    SAFE_REQUEST_ID.test(incoming)
  ) {
    return incoming;
  }
  return randomUUID();
}

/**
 * Echoes the request id as `X-Request-Id` on every answer, errors and shed requests included: a root
 * `onRequest` hook, so add it before the hooks that may answer early.
 *
 * @param app - the root instance, built with `genReqId: requestIdOf`.
 */
export function installRequestIdHeader(app: FastifyInstance): void {
  app.addHook("onRequest", async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
}
