import { StateStoreError, type StateStoreErrorCode } from "@tidemark/state";

/**
 * A `StateStoreError` answered with an HTTP status other than its code's own: the 400 for a malformed
 * `If-Match` or a half-given region (Airflow answers 400 where the code's status is 422). Still a `StateStoreError` for every caller.
 */
export class HttpStatusError extends StateStoreError {
  readonly #status: number;

  /**
   * @param code - the error code (sent in the `Tidemark-Error-Code` header).
   * @param message - what was wrong and how to fix it.
   * @param status - the HTTP status to answer with.
   * @param options - `cause` and `details`.
   */
  constructor(
    code: StateStoreErrorCode,
    message: string,
    status: number,
    options: { cause?: unknown; details?: Readonly<Record<string, unknown>> } = {},
  ) {
    super(code, message, options);
    this.#status = status;
  }

  /** The HTTP status given to the constructor. */
  override get httpStatus(): number {
    return this.#status;
  }
}
