import { StateStoreError, type StateStoreErrorCode } from "@tidemark/state";

/**
 * Checks that a metadata identifier (dag id, run id, task id, asset name or uri) is a non-empty string.
 *
 * @param value - the value given.
 * @param field - its name in messages, for example `dagId`.
 * @param code - the error code to raise. Default `INVALID_VALUE`.
 * @returns the value.
 * @throws StateStoreError `code` naming the field.
 */
export function requireText(
  value: unknown,
  field: string,
  code: StateStoreErrorCode = "INVALID_VALUE",
): string {
  if (typeof value !== "string" || value.trim() === "") {
    throw new StateStoreError(
      code,
      `${field} must be a non-empty string, got ${JSON.stringify(value) ?? String(value)}`,
      {
        details: { field },
      },
    );
  }
  return value;
}

/**
 * Checks a page request: `limit` (default 100) and `offset` (default 0), integers >= 0.
 *
 * @returns the normalised limit and offset.
 * @throws StateStoreError `INVALID_VALUE` naming the field.
 */
export function pageRequest(options: { limit?: number; offset?: number }): { limit: number; offset: number } {
  const limit = options.limit ?? 100;
  const offset = options.offset ?? 0;
  for (const [field, value] of [
    ["limit", limit],
    ["offset", offset],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new StateStoreError("INVALID_VALUE", `${field} must be an integer >= 0, got ${String(value)}`, {
        details: { field },
      });
    }
  }
  return { limit, offset };
}
