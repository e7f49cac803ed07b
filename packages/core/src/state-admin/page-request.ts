import { StateStoreError } from "@tidemark/state";

/** Default page size of every Core REST API listing. */
export const DEFAULT_PAGE_LIMIT = 100;
/** Largest page size of every Core REST API listing. */
export const MAX_PAGE_LIMIT = 1000;

/**
 * Checks and normalises a page request of the Core REST API listings.
 *
 * @param request - `limit` (0 to {@link MAX_PAGE_LIMIT}, default {@link DEFAULT_PAGE_LIMIT}) and
 *   `offset` (>= 0, default 0).
 * @returns the limit and offset.
 * @throws StateStoreError `INVALID_VALUE` naming the field and the accepted range.
 */
export function checkPage(request: { limit?: number | undefined; offset?: number | undefined }): {
  limit: number;
  offset: number;
} {
  const limit = request.limit ?? DEFAULT_PAGE_LIMIT;
  const offset = request.offset ?? 0;
  if (!Number.isSafeInteger(limit) || limit < 0 || limit > MAX_PAGE_LIMIT) {
    throw new StateStoreError(
      "INVALID_VALUE",
      `limit must be an integer from 0 to ${MAX_PAGE_LIMIT}, got ${String(limit)}; page through longer listings with offset`,
      { details: { field: "limit" } },
    );
  }
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new StateStoreError("INVALID_VALUE", `offset must be an integer >= 0, got ${String(offset)}`, {
      details: { field: "offset" },
    });
  }
  return { limit, offset };
}
