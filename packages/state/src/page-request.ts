import { StateStoreError } from "./state-store-error.js";

/** Default page size of a listing. */
export const DEFAULT_PAGE_LIMIT = 100;
/** Largest page size of a listing. */
export const MAX_PAGE_LIMIT = 1000;

/** A page of a listing: `limit` entries after `offset` of them, or after an opaque `cursor`. */
export interface PageRequest {
  /** Most entries, 0 to {@link MAX_PAGE_LIMIT}; default {@link DEFAULT_PAGE_LIMIT}. */
  readonly limit?: number | undefined;
  /** Entries to skip, >= 0; default 0. */
  readonly offset?: number | undefined;
}

/**
 * Checks and normalises a page request.
 *
 * @param request - `limit` and `offset`.
 * @returns the limit and offset.
 * @throws StateStoreError `INVALID_VALUE` naming the field and the accepted range.
 */
export function checkPage(request: PageRequest): {
  /** The page size, 0 to {@link MAX_PAGE_LIMIT}. */
  limit: number;
  /** The entries to skip, >= 0. */
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
