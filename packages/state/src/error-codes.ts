/**
 * The wire `reason` strings of the Execution API and Core REST API error body
 * `{"detail": {"reason": …, "message": …}}` (reference: the Execution API error payloads of AIP-103).
 */
export type StateStoreErrorReason =
  | "not_found"
  | "conflict"
  | "precondition_failed"
  | "invalid"
  | "too_large"
  | "forbidden"
  | "unauthorized"
  | "not_supported"
  | "unavailable"
  | "config_error";

/**
 * One row of {@link STATE_STORE_ERROR_CODES}: the HTTP status and wire reason of an error code.
 *
 * @typeParam Status - the row's HTTP status as a literal type.
 * @typeParam Reason - the row's wire reason as a literal type.
 */
export interface StateStoreErrorCodeInfo<
  Status extends number = number,
  Reason extends StateStoreErrorReason = StateStoreErrorReason,
> {
  /** HTTP status code the servers answer with for this error. */
  readonly httpStatus: Status;
  /** Wire `reason` in the error body. */
  readonly reason: Reason;
}

// Rows typed as the documented interface, keeping their literal status and reason.
function row<const Status extends number, const Reason extends StateStoreErrorReason>(
  httpStatus: Status,
  reason: Reason,
): StateStoreErrorCodeInfo<Status, Reason> {
  return { httpStatus, reason };
}

/**
 * Every error code a Tidemark component raises, with its HTTP status and wire reason.
 *
 * One const table so that the servers (code → status), the HTTP clients (status/reason → code) and
 * provider authors agree. Codes are stable API: new codes may be added, none is renamed.
 */
export const STATE_STORE_ERROR_CODES = {
  /** A key (or a stored object a reference points to) does not exist. */
  NOT_FOUND: row(404, "not_found"),
  /** A task scope names a dag run that the metastore does not know. */
  DAG_RUN_NOT_FOUND: row(404, "not_found"),
  /** A task instance id or (dag_id, run_id, task_id, map_index) that does not exist. */
  TASK_INSTANCE_NOT_FOUND: row(404, "not_found"),
  /** An asset that does not exist or is not active. */
  ASSET_NOT_FOUND: row(404, "not_found"),
  /**
   * An HTTP route that does not exist (a wrong base URL or API version). Distinct from `NOT_FOUND`, so
   * clients never mistake a misconfigured URL for a missing key.
   */
  ROUTE_NOT_FOUND: row(404, "not_found"),
  /** A key outside the key rules (1 to 512 characters, no control characters). */
  INVALID_KEY: row(422, "invalid"),
  /** A value that is not a JSON value Tidemark stores (null at the top level, NaN, a Date, …). */
  INVALID_VALUE: row(422, "invalid"),
  /** A value whose JSON text exceeds `state_store.max_value_storage_bytes`. */
  VALUE_TOO_LARGE: row(413, "too_large"),
  /** A malformed scope (empty ids, a map index below -1, an asset scope without identifiers). */
  INVALID_SCOPE: row(422, "invalid"),
  /** A compare-and-set (`ifVersion` / `ifAbsent`) whose condition did not hold. */
  CONFLICT: row(409, "conflict"),
  /**
   * An HTTP conditional request (`If-Match`, `If-None-Match`, RFC 9110) whose precondition did not hold;
   * the answer carries the current version as its `ETag`. Backends raise `CONFLICT`; the servers answer a
   * failed condition of a conditional request with this code.
   */
  PRECONDITION_FAILED: row(412, "precondition_failed"),
  /** Missing, malformed, tampered or expired credentials. */
  UNAUTHORIZED: row(401, "unauthorized"),
  /** Valid credentials that do not grant access to this task instance or asset. */
  FORBIDDEN: row(403, "forbidden"),
  /** The backend does not implement an optional operation (see `capabilities`). */
  NOT_SUPPORTED: row(501, "not_supported"),
  /** The database, object store or API server could not be reached or failed. */
  BACKEND_UNAVAILABLE: row(503, "unavailable"),
  /** Configuration that is missing or invalid; the message names the option. */
  CONFIG_ERROR: row(500, "config_error"),
} as const satisfies Record<string, StateStoreErrorCodeInfo>;

/** The name of an error code: a key of {@link STATE_STORE_ERROR_CODES}. */
export type StateStoreErrorCode = keyof typeof STATE_STORE_ERROR_CODES;

/**
 * Tells whether `code` is one of the {@link STATE_STORE_ERROR_CODES}.
 *
 * @param code - any value, for example a `code` read from an HTTP error body.
 * @returns true for a known code.
 */
export function isStateStoreErrorCode(code: unknown): code is StateStoreErrorCode {
  return typeof code === "string" && Object.hasOwn(STATE_STORE_ERROR_CODES, code);
}

/**
 * The HTTP status of an error code (for example 404 for `NOT_FOUND`, 413 for `VALUE_TOO_LARGE`).
 *
 * @param code - an error code.
 * @returns the HTTP status code.
 */
export function httpStatusOf(code: StateStoreErrorCode): number {
  return STATE_STORE_ERROR_CODES[code].httpStatus;
}

/**
 * The error code a client should raise for an HTTP error answer that carried no code of its own.
 *
 * @param status - the HTTP status code of the answer.
 * @returns `NOT_FOUND` for 404, `CONFLICT` for 409, `PRECONDITION_FAILED` for 412, `VALUE_TOO_LARGE` for 413, `INVALID_VALUE` for 400
 *   and 422, `UNAUTHORIZED` for 401, `FORBIDDEN` for 403, `NOT_SUPPORTED` for 501, else `BACKEND_UNAVAILABLE`.
 */
export function errorCodeForHttpStatus(status: number): StateStoreErrorCode {
  switch (status) {
    case 400:
    case 422:
      return "INVALID_VALUE";
    case 401:
      return "UNAUTHORIZED";
    case 403:
      return "FORBIDDEN";
    case 404:
      return "NOT_FOUND";
    case 409:
      return "CONFLICT";
    case 412:
      return "PRECONDITION_FAILED";
    case 413:
      return "VALUE_TOO_LARGE";
    case 501:
      return "NOT_SUPPORTED";
    default:
      return "BACKEND_UNAVAILABLE";
  }
}
