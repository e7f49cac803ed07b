import {
  isStateStoreError,
  STATE_STORE_ERROR_CODES,
  StateStoreError,
  type StateStoreErrorCode,
  type StateStoreErrorReason,
} from "@tidemark/state";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { setEtag } from "./conditional-request.js";

export { HttpStatusError } from "./http-status-error.js";

/** The response header every error answer carries Tidemark's machine-readable error code in. */
export const ERROR_CODE_HEADER = "tidemark-error-code";

/**
 * How an API answers errors: `execution` = the Execution API's `{"detail": {"reason", "message", "code"}}`;
 * `core` = the Core REST API's `{"detail": "<message>"}` as Airflow's Core API (FastAPI's HTTPException)
 * answers. Both carry the code in {@link ERROR_CODE_HEADER}.
 */
export type ApiErrorStyle = "execution" | "core";

/**
 * The error body of the Execution API: `{"detail": {"reason", "message", "code"}}` (reference: the
 * Execution API's `{"detail": {"reason", "message"}}`; `code` is Tidemark's stable error code).
 */
export interface ApiErrorBody {
  readonly detail: {
    readonly reason: StateStoreErrorReason;
    readonly message: string;
    readonly code: StateStoreErrorCode;
  };
}

/** The error body of the Core REST API: `{"detail": "<message>"}` (reference: Airflow's Core API). */
export interface CoreApiErrorBody {
  readonly detail: string;
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

/** JSON schema of {@link CoreApiErrorBody}, for the Core REST API's route schemas and OpenAPI document. */
export const CORE_API_ERROR_SCHEMA = {
  $id: "CoreApiError",
  type: "object",
  additionalProperties: false,
  required: ["detail"],
  description: `The error message; the error code is in the ${ERROR_CODE_HEADER} response header`,
  properties: { detail: { type: "string" } },
} as const;

/**
 * The body of an error answer.
 *
 * @param error - the error.
 * @param style - the API's error style (default `execution`).
 * @returns the body.
 */
export function apiErrorBody(error: StateStoreError, style?: "execution"): ApiErrorBody;
export function apiErrorBody(error: StateStoreError, style: ApiErrorStyle): ApiErrorBody | CoreApiErrorBody;
export function apiErrorBody(
  error: StateStoreError,
  style: ApiErrorStyle = "execution",
): ApiErrorBody | CoreApiErrorBody {
  if (style === "core") return { detail: error.message };
  return { detail: { reason: error.reason, message: error.message, code: error.code } };
}

/**
 * Sends a `StateStoreError` with its HTTP status (or `status`), its code in {@link ERROR_CODE_HEADER} and
 * the body of the API's style. A failed precondition (412) carries the live version as its `ETag`, so a
 * client can retry without reading the key again.
 *
 * @param reply - the reply.
 * @param error - the error.
 * @param options - the error style (default `execution`) and a status overriding the code's own.
 * @returns the reply, sent.
 */
export function sendApiError(
  reply: FastifyReply,
  error: StateStoreError,
  options: { style?: ApiErrorStyle; status?: number } = {},
): FastifyReply {
  if (error.code === "PRECONDITION_FAILED") {
    setEtag(reply, error.details.currentVersion as number | null | undefined);
  }
  return reply
    .code(options.status ?? error.httpStatus)
    .header(ERROR_CODE_HEADER, error.code)
    .type("application/json; charset=utf-8")
    .send(apiErrorBody(error, options.style ?? "execution"));
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
 * In the `core` style a value over `state_store.max_value_storage_bytes` is 422, as Airflow's Core API
 * answers it (a request-body validator there); the code stays `VALUE_TOO_LARGE`.
 *
 * @param error - what was thrown.
 * @param options - the body limit in bytes, for the 413 message; the error style (default `execution`).
 * @returns the error to send and the HTTP status to send it with.
 */
export function toApiError(
  error: unknown,
  options: { bodyLimit: number; style?: ApiErrorStyle },
): { error: StateStoreError; status: number } {
  if (isStateStoreError(error)) {
    const coreTooLarge = options.style === "core" && error.code === "VALUE_TOO_LARGE";
    return { error, status: coreTooLarge ? 422 : error.httpStatus };
  }
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

/** Options of {@link installApiErrorHandlers}. */
export interface ApiErrorHandlerOptions {
  /** The server's body limit in bytes, for 413 messages. */
  readonly bodyLimit: number;
  /** The error body style of this API (default `execution`). */
  readonly style?: ApiErrorStyle;
  /** What an unknown route's message tells the caller to read (default: the Execution API's OpenAPI). */
  readonly routeHint?: string;
}

/**
 * Installs the shared error and not-found handlers on a Fastify instance (the root, or an API plugin's
 * encapsulated context): every error answer carries its code in {@link ERROR_CODE_HEADER} and the body
 * of the given style, chosen per API plugin rather than guessed from the URL.
 *
 * @param app - the instance.
 * @param options - the body limit, the style, the hint for unknown routes.
 */
export function installApiErrorHandlers(app: FastifyInstance, options: ApiErrorHandlerOptions): void {
  const style = options.style ?? "execution";
  const routeHint =
    options.routeHint ?? "the Execution API lives under /execution (see /execution/openapi.json)";
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { error: apiError, status } = toApiError(error, { bodyLimit: options.bodyLimit, style });
    if (status >= 500 && status !== 501) request.log.error({ err: error }, "request failed");
    else request.log.debug({ code: apiError.code }, apiError.message);
    return sendApiError(reply, apiError, { style, status });
  });
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) =>
    sendApiError(
      reply,
      new StateStoreError(
        "ROUTE_NOT_FOUND",
        `no route ${request.method} ${request.url.split("?")[0]}; ${routeHint}`,
      ),
      { style },
    ),
  );
}
