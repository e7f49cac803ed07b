import type { ErrorBody } from "./wire-types";

/**
 * An answer of the Core REST API that was not a success, or a call that never got an answer.
 *
 * Carries what the server said (`{"detail": {"reason", "message", "code"}}`, see the contract's "Errors")
 * so that {@link describeApiError} can put it in words. `status` is 0 when the server could not be reached.
 */
export class ApiError extends Error {
  /** HTTP status (401, 404, 409, 413, 422, …), or 0 for a network failure. */
  readonly status: number;
  /** Wire reason: not_found, conflict, invalid, too_large, forbidden, unauthorized, … (may be absent). */
  readonly reason: string | undefined;
  /** The server's own sentence, if it sent one. */
  readonly serverMessage: string | undefined;
  /** The StateStoreError code (NOT_FOUND, TASK_INSTANCE_NOT_FOUND, CONFLICT, …), if sent. */
  readonly code: string | undefined;

  constructor(
    status: number,
    detail: { reason?: string | undefined; message?: string | undefined; code?: string | undefined },
    options?: { cause?: unknown },
  ) {
    super(detail.message ?? `HTTP ${status}`, options);
    this.name = "ApiError";
    this.status = status;
    this.reason = detail.reason;
    this.serverMessage = detail.message;
    this.code = detail.code;
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
 * Builds an {@link ApiError} from a non-2xx response, reading the contract's error body when there is one.
 * A body that is not JSON or not in the contract's shape is ignored (the status alone is then described).
 *
 * @param response - the failed response.
 * @returns the error (never throws).
 */
export async function apiErrorFromResponse(response: Response): Promise<ApiError> {
  let detail: ErrorBody["detail"] = {};
  try {
    const body: unknown = await response.json();
    if (typeof body === "object" && body !== null && "detail" in body) {
      const raw = (body as { detail: unknown }).detail;
      if (typeof raw === "object" && raw !== null) {
        const d = raw as Record<string, unknown>;
        detail = {
          ...(typeof d.reason === "string" ? { reason: d.reason } : {}),
          ...(typeof d.message === "string" ? { message: d.message } : {}),
          ...(typeof d.code === "string" ? { code: d.code } : {}),
        };
      } else if (typeof raw === "string") {
        detail = { message: raw };
      }
    }
  } catch {
    // Not JSON (a proxy's HTML page, an empty body): describe by status only.
  }
  return new ApiError(response.status, detail);
}
