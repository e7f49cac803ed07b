import { readErrorAnswer } from "@tidemark/api-client";

export { ERROR_CODE_HEADER, versionOfEtag } from "@tidemark/api-client";

/**
 * An answer of the Core REST API that was not a success, or a call that never got an answer.
 *
 * Carries what the server said (`{"detail": "<message>"}` and the `Tidemark-Error-Code` header) so that
 * {@link describeApiError} can put it in words. `status` is 0 when the server could not be reached.
 */
export class ApiError extends Error {
  /** HTTP status (400, 401, 404, 412, 413, 422, …), or 0 for a network failure. */
  readonly status: number;
  /** The server's own sentence (`detail`), if it sent one. */
  readonly serverMessage: string | undefined;
  /** Tidemark's error code (NOT_FOUND, PRECONDITION_FAILED, VALUE_TOO_LARGE, …), if sent. */
  readonly code: string | undefined;
  /** The live version from the `ETag` of a 412 (undefined when the key has none, e.g. it is gone). */
  readonly currentVersion: number | undefined;

  /**
   * @param status - the HTTP status, or 0 for a network failure.
   * @param detail - the server's message, error code and a 412's live version.
   * @param options - the cause.
   */
  constructor(
    status: number,
    detail: { message?: string | undefined; code?: string | undefined; currentVersion?: number | undefined },
    options?: { cause?: unknown },
  ) {
    super(detail.message ?? `HTTP ${status}`, options);
    this.name = "ApiError";
    this.status = status;
    this.serverMessage = detail.message;
    this.code = detail.code;
    this.currentVersion = detail.currentVersion;
  }
}

/**
 * Tells an {@link ApiError} apart from other thrown values.
 *
 * @param error - anything caught.
 * @returns true for an ApiError.
 */
export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/**
 * Tells a failed `If-Match` / `If-None-Match` (412) apart from other errors.
 *
 * @param error - anything caught.
 * @returns true for a 412 ApiError.
 */
export function isPreconditionFailed(error: unknown): error is ApiError {
  return isApiError(error) && error.status === 412;
}

/**
 * Builds an {@link ApiError} from a non-2xx response with @tidemark/api-client's decoder: the message
 * from `detail`, the code from the `Tidemark-Error-Code` header and, on a 412, the live version from the
 * `ETag`. A body that is not JSON or not in that shape is ignored (the status alone is then described).
 *
 * @param response - the failed response.
 * @returns the error (never throws).
 */
export async function apiErrorFromResponse(response: Response): Promise<ApiError> {
  // Not JSON (a proxy's HTML page) or no body at all: the decoder then describes the status only.
  const text = await response.text().catch(() => "");
  const { message, code, currentVersion } = readErrorAnswer(response, text);
  return new ApiError(response.status, { message, code, currentVersion });
}
