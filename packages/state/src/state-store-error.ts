import {
  isStateStoreErrorCode,
  STATE_STORE_ERROR_CODES,
  type StateStoreErrorCode,
  type StateStoreErrorReason,
} from "./error-codes.js";

/** Brand shared by every copy of `@tidemark/state` loaded in one process. */
const BRAND = Symbol.for("@tidemark/state.StateStoreError");

/** Options of the {@link StateStoreError} constructor. */
export interface StateStoreErrorOptions {
  /** The underlying error (a driver error, an HTTP failure); kept as the standard `cause`. */
  cause?: unknown;
  /** Machine-readable facts about the failure (the key, the limit, the size, …). */
  details?: Readonly<Record<string, unknown>>;
}

/**
 * The one error class of Tidemark. Every failure a caller can act on is a `StateStoreError` with a
 * stable `code` from {@link STATE_STORE_ERROR_CODES}; its message says what was wrong and how to fix it.
 *
 * @example
 * ```ts
 * try { await store.set(scope, key, text) } catch (e) {
 *   if (isStateStoreError(e) && e.code === "CONFLICT") retry();
 * }
 * ```
 */
export class StateStoreError extends Error {
  /** Stable error code. */
  readonly code: StateStoreErrorCode;
  /** Machine-readable facts about the failure; empty when there are none. */
  readonly details: Readonly<Record<string, unknown>>;

  /**
   * @param code - one of {@link STATE_STORE_ERROR_CODES}.
   * @param message - what was wrong and how to fix it.
   * @param options - `cause` (kept as `error.cause`) and `details`.
   */
  constructor(code: StateStoreErrorCode, message: string, options: StateStoreErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "StateStoreError";
    this.code = code;
    this.details = options.details ?? {};
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** HTTP status the servers answer this error with (for example 409 for `CONFLICT`). */
  get httpStatus(): number {
    return STATE_STORE_ERROR_CODES[this.code].httpStatus;
  }

  /** Wire reason of this error (for example `"too_large"` for `VALUE_TOO_LARGE`). */
  get reason(): StateStoreErrorReason {
    return STATE_STORE_ERROR_CODES[this.code].reason;
  }
}

/**
 * Tells whether `error` is a {@link StateStoreError}, including one thrown by a second copy of
 * `@tidemark/state` in the same process (where `instanceof` would say no).
 *
 * @param error - anything caught.
 * @param code - when given, also require this code.
 * @returns true when `error` is a StateStoreError (with `code`, if given).
 */
export function isStateStoreError(error: unknown, code?: StateStoreErrorCode): error is StateStoreError {
  if (typeof error !== "object" || error === null) return false;
  const branded =
    error instanceof StateStoreError ||
    ((error as Record<symbol, unknown>)[BRAND] === true &&
      isStateStoreErrorCode((error as { code?: unknown }).code));
  return branded && (code === undefined || (error as StateStoreError).code === code);
}
