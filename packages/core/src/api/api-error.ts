import {
  isStateStoreError,
  STATE_STORE_ERROR_CODES,
  StateStoreError,
  type StateStoreErrorCode,
  type StateStoreErrorReason,
} from "@tidemark/state";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/**
 * The error body of every Tidemark HTTP API: `{"detail": {"reason", "message", "code"}}` (reference: the
 * Execution API's `{"detail": {"reason", "message"}}`; `code` is Tidemark's stable error code).
 */
export interface ApiErrorBody {
  readonly detail: {
    readonly reason: StateStoreErrorReason;
    readonly message: string;
    readonly code: StateStoreErrorCode;
  };
}

/** JSON schema of {@link ApiErrorBody}, for route response schemas and the OpenAPI document. */
export const API_ERROR_SCHEMA = {
  $id: "ApiError",
  type: "object",
  additionalProperties: false,
  required: ["detail"],
  properties: {
    detail: {
      type: "object",
      additionalProperties: false,
      required: ["reason", "message", "code"],
      properties: {
        reason: {
          type: "string",
          enum: [...new Set(Object.values(STATE_STORE_ERROR_CODES).map((c) => c.reason))],
        },
        message: { type: "string" },
        code: { type: "string", enum: Object.keys(STATE_STORE_ERROR_CODES) },
      },
    },
  },
} as const;

/**
 * The body of an error answer.
 *
 * @param error - the error.
 * @returns the body.
 */
export function apiErrorBody(error: StateStoreError): ApiErrorBody {
  return { detail: { reason: error.reason, message: error.message, code: error.code } };
}

/**
 * Sends a `StateStoreError` with its HTTP status and body.
 *
 * @param reply - the reply.
 * @param error - the error.
 * @returns the reply, sent.
 */
export function sendApiError(reply: FastifyReply, error: StateStoreError): FastifyReply {
  return reply.code(error.httpStatus).type("application/json; charset=utf-8").send(apiErrorBody(error));
}

interface AjvError {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

function describeValidation(error: FastifyError): { message: string; field: string | undefined } {
  const context = (error as { validationContext?: string }).validationContext ?? "request";
  const issues = ((error as { validation?: AjvError[] }).validation ?? []).slice(0, 5);
  let field: string | undefined;
  const parts = issues.map((issue) => {
    const path = issue.instancePath?.replace(/^\//, "").replace(/\//g, ".") ?? "";
    const where = path === "" ? context : `${context}.${path}`;
    if (issue.keyword === "additionalProperties") {
      field ??= String(issue.params?.additionalProperty);
      return `${where} has the unknown field ${JSON.stringify(issue.params?.additionalProperty)}`;
    }
    if (issue.keyword === "required") {
      field ??= String(issue.params?.missingProperty);
      return `${where} is missing the field ${JSON.stringify(issue.params?.missingProperty)}`;
    }
    field ??= path.split(".")[0] || undefined;
    if (issue.keyword === "not" && path === "value")
      return `${where} is null; delete the key instead of storing null`;
    return `${where} ${issue.message ?? "is invalid"}`;
  });
  return { message: parts.join("; ") || error.message, field };
}

/**
 * Maps any error thrown while handling a request to a `StateStoreError`:
 * - a `StateStoreError` is kept;
 * - schema validation failures → `INVALID_KEY` when the key is at fault, else `INVALID_VALUE` (422);
 * - malformed JSON (including NaN or Infinity literals), an empty or non-JSON body → `INVALID_VALUE` (422);
 * - a body over the server's body limit → `VALUE_TOO_LARGE` (413) naming the limit and the remedy;
 * - anything else → `BACKEND_UNAVAILABLE` (its status is 500 when the error is not known to be transient).
 *
 * @param error - what was thrown.
 * @param options - the body limit in bytes, for the 413 message.
 * @returns the error to send and the HTTP status to send it with.
 */
export function toApiError(
  error: unknown,
  options: { bodyLimit: number },
): { error: StateStoreError; status: number } {
  if (isStateStoreError(error)) return { error, status: error.httpStatus };
  const e = error as FastifyError;
  if ((e as { validation?: unknown }).validation !== undefined) {
    const { message, field } = describeValidation(e);
    const code = field === "key" || field === "*" ? "INVALID_KEY" : "INVALID_VALUE";
    return { error: new StateStoreError(code, message, { details: { field } }), status: 422 };
  }
  switch (e.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return {
        error: new StateStoreError(
          "VALUE_TOO_LARGE",
          `request body is over the server's limit of ${options.bodyLimit} bytes (derived from state_store.max_value_storage_bytes); store a smaller value or configure a worker backend (workers.state_store_backend) that offloads large values`,
          { details: { limit: options.bodyLimit } },
        ),
        status: 413,
      };
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return {
        error: new StateStoreError(
          "INVALID_VALUE",
          `request body is not valid JSON (${e.message}); note that NaN and Infinity are not JSON`,
        ),
        status: 422,
      };
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return {
        error: new StateStoreError(
          "INVALID_VALUE",
          `request body must be a JSON object sent with Content-Type: application/json (${e.message})`,
        ),
        status: 422,
      };
  }
  if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) {
    return { error: new StateStoreError("INVALID_VALUE", e.message), status: 422 };
  }
  return {
    error: new StateStoreError("BACKEND_UNAVAILABLE", "internal server error; see the api-server log", {
      cause: error,
    }),
    status: 500,
  };
}

/**
 * Installs the shared error and not-found handlers on a Fastify instance (the root, or an API plugin's
 * encapsulated context), so every Tidemark API answers errors in the {@link ApiErrorBody} shape.
 *
 * @param app - the instance.
 * @param options - the body limit, for messages.
 */
export function installApiErrorHandlers(app: FastifyInstance, options: { bodyLimit: number }): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { error: apiError, status } = toApiError(error, options);
    if (status >= 500) request.log.error({ err: error }, "request failed");
    else request.log.debug({ code: apiError.code }, apiError.message);
    return reply.code(status).type("application/json; charset=utf-8").send(apiErrorBody(apiError));
  });
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) =>
    sendApiError(
      reply,
      new StateStoreError(
        "ROUTE_NOT_FOUND",
        `no route ${request.method} ${request.url.split("?")[0]}; the Execution API lives under /execution (see /execution/openapi.json)`,
      ),
    ),
  );
}
