import { errorCodeForHttpStatus, StateStoreError } from "@tidemark/state";
import { readErrorAnswer } from "./read-error-answer.js";

/** What the failed request was, for the message when the server sent no sentence of its own. */
export interface ErrorResponseContext {
  /** The HTTP method, for example `PUT`. */
  readonly method: string;
  /** The path or URL requested. */
  readonly path: string;
}

/**
 * Turns an error answer of either Tidemark server into a `StateStoreError`: the code is the answer's own
 * (see {@link readErrorAnswer}: the `Tidemark-Error-Code` header, then the body), else
 * `errorCodeForHttpStatus(status)`; the message is the server's detail, else "<method> <path> answered
 * HTTP <status>: <start of the body>". `details` carries `status`, and `reason` / `currentVersion` (a
 * 412's live version from the `ETag`) when the answer had them.
 *
 * @param response - the non-2xx answer (status and headers are read, the body is not).
 * @param body - the body already read (parsed JSON, or text), for example openapi-fetch's `error`.
 * @param context - the request, named in the message when the server gave none.
 * @returns the error (never throws).
 */
export function stateStoreErrorFromResponse(
  response: Pick<Response, "status" | "headers">,
  body?: unknown,
  context?: ErrorResponseContext,
): StateStoreError {
  const answer = readErrorAnswer(response, body);
  const what = context === undefined ? "the request" : `${context.method} ${context.path}`;
  const message =
    answer.message ??
    `${what} answered HTTP ${answer.status}${answer.text === "" ? "" : `: ${answer.text.slice(0, 200)}`}`;
  return new StateStoreError(answer.code ?? errorCodeForHttpStatus(answer.status), message, {
    details: {
      status: answer.status,
      ...(answer.reason === undefined ? {} : { reason: answer.reason }),
      ...(answer.currentVersion === undefined ? {} : { currentVersion: answer.currentVersion }),
    },
  });
}
