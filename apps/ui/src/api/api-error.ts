/** The response header the Core REST API sends Tidemark's error code in. */
export const ERROR_CODE_HEADER = "tidemark-error-code";

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
 * Reads the version of a strong ETag `"<version>"`.
 *
 * @param etag - the header, or null.
 * @returns the version, or undefined when the header is absent or not a quoted positive integer.
 */
export function versionOfEtag(etag: string | null): number | undefined {
  const match = etag === null ? null : /^"([1-9]\d{0,15})"$/.exec(etag.trim());
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/**
 * Builds an {@link ApiError} from a non-2xx response: the message from `{"detail": "<message>"}`, the code
 * from the `Tidemark-Error-Code` header and, on a 412, the live version from the `ETag`. A body that is
 * not JSON or not in that shape is ignored (the status alone is then described).
 *
 * @param response - the failed response.
 * @returns the error (never throws).
 */
export async function apiErrorFromResponse(response: Response): Promise<ApiError> {
  let message: string | undefined;
  try {
    const body: unknown = await response.json();
    if (typeof body === "object" && body !== null && "detail" in body) {
      const raw = (body as { detail: unknown }).detail;
      if (typeof raw === "string" && raw.trim() !== "") message = raw;
    }
  } catch {
    // Not JSON (a proxy's HTML page, an empty body): describe by status only.
  }
  const code = response.headers.get(ERROR_CODE_HEADER) ?? undefined;
  const currentVersion = response.status === 412 ? versionOfEtag(response.headers.get("etag")) : undefined;
  return new ApiError(response.status, { message, code, currentVersion });
}
