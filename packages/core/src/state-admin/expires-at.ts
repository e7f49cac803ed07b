import { StateStoreError } from "@tidemark/state";
import { HttpStatusError } from "../api/api-error.js";

const DAY_MS = 86_400_000;
const OFFSET = /(?:Z|[+-]\d\d(?::?\d\d)?)$/i;
const DATE_TIME = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d/;

/**
 * How a write of task state says when the key expires: `"default"` (or undefined) = now +
 * `state_store.default_retention_days` (never when that is 0); null = never; otherwise an ISO-8601
 * date-time with an offset, such as `2026-06-01T00:00:00Z` or `2026-06-01T02:00:00+02:00`.
 */
export type ExpiresAtInput = "default" | null | string | undefined;

/** Options of {@link resolveExpiresAt}. */
export interface ResolveExpiresAtOptions {
  /** `state_store.default_retention_days` (0 = never expire). */
  readonly defaultRetentionDays: number;
  /** The current instant. */
  readonly now: Date;
}

/**
 * Turns the `expires_at` of a Core REST API PUT (or the CLI's `--retention`) into the instant the server
 * backend stores. Same rules as the Execution API (an offset is required, so a naive local time is never
 * guessed), plus one the operator paths need: the instant must lie in the future, since a key that is
 * expired on arrival could never be read back.
 *
 * @param input - `"default"`, undefined, null or ISO-8601 text with an offset.
 * @param options - the default retention in days and the current instant.
 * @returns the UTC instant, or null for never.
 * @throws StateStoreError `CONFIG_ERROR` (answered 400, as Airflow does) for `"default"` with a negative
 *   retention; `INVALID_VALUE` (422) for text that is not an ISO-8601 date-time with an offset
 *   (naive date-times included) or an instant that is not in the future; the message gives an example.
 */
export function resolveExpiresAt(input: ExpiresAtInput, options: ResolveExpiresAtOptions): Date | null {
  if (input === null) return null;
  if (input === undefined || input === "default") {
    const days = options.defaultRetentionDays;
    if (days < 0) {
      throw new HttpStatusError(
        "CONFIG_ERROR",
        `[state_store] default_retention_days must be >= 0, got ${days}; set it to 0 to disable expiry, or send an explicit expires_at`,
        400,
        { details: { option: "state_store.default_retention_days" } },
      );
    }
    return days <= 0 ? null : new Date(options.now.getTime() + days * DAY_MS);
  }
  const date = new Date(input);
  if (
    typeof input !== "string" ||
    !DATE_TIME.test(input) ||
    !OFFSET.test(input) ||
    Number.isNaN(date.getTime())
  ) {
    throw new StateStoreError(
      "INVALID_VALUE",
      `expires_at ${JSON.stringify(input)} is not an ISO-8601 date-time with an offset; send for example "2026-06-01T00:00:00Z" or "2026-06-01T02:00:00+02:00", "default" for state_store.default_retention_days, or null to never expire`,
      { details: { field: "expires_at" } },
    );
  }
  if (date.getTime() <= options.now.getTime()) {
    throw new StateStoreError(
      "INVALID_VALUE",
      `expires_at ${JSON.stringify(input)} is not in the future (now is ${options.now.toISOString()}), so the key could never be read; delete the key instead, or give a later instant`,
      { details: { field: "expires_at" } },
    );
  }
  return date;
}
