import { isStateStoreError } from "@tidemark/state";

/**
 * The `outcome` label of a state store operation: `ok`, `not_found` (a read that found nothing, or
 * `NOT_FOUND`), `conflict` (`CONFLICT`, `PRECONDITION_FAILED`), `too_large` (`VALUE_TOO_LARGE`), the
 * error code lowercased for any other `StateStoreError`, and `error` for anything else. Bounded: error
 * codes are a fixed set.
 *
 * @param error - what the operation threw.
 * @returns the label value.
 */
export function failedOperationOutcome(error: unknown): string {
  if (!isStateStoreError(error)) return "error";
  switch (error.code) {
    case "NOT_FOUND":
      return "not_found";
    case "CONFLICT":
    case "PRECONDITION_FAILED":
      return "conflict";
    case "VALUE_TOO_LARGE":
      return "too_large";
    default:
      return error.code.toLowerCase();
  }
}
