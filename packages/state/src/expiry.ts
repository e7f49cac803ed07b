import { StateStoreError } from "./state-store-error.js";

const DAY_MS = 86_400_000;
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d\d(:?\d\d)?)$/i;

/**
 * When a task state key expires, as callers say it: a `Date` (UTC instant); ISO-8601 text with an offset
 * (`2026-06-01T00:00:00Z`, `2026-06-01T02:00:00+02:00`); `"default"` (now + `state_store.
 * default_retention_days`); null (never, as in Airflow). Asset state never expires.
 */
export type ExpiresAtInput = Date | string | null;

/** Options of {@link resolveExpiresAt}. */
export interface ResolveExpiresAtOptions {
  /** `state_store.default_retention_days` (0 = never); undefined: unknown here, `"default"` is kept. */
  readonly defaultRetentionDays: number | undefined;
  /** The current instant. */
  readonly now: Date;
  /** Refuse instants that are not in the future (operator paths: such a key could never be read). */
  readonly requireFuture?: boolean;
  /** The field named in messages, for example `body.expires_at`. Default `expires_at`. */
  readonly field?: string;
}

/**
 * Turns an {@link ExpiresAtInput} into the instant a backend stores. An offset is required, so a naive
 * local time is never guessed.
 *
 * @param input - the caller's expiry; undefined is treated as null (never).
 * @param options - the default retention, the clock, whether the instant must lie ahead.
 * @returns the UTC instant, null for never, or `"default"` when the default retention is unknown here
 *   (a remote backend's server applies its own).
 * @throws StateStoreError `INVALID_VALUE` (`details.field`) for text that is not ISO-8601 with an offset,
 *   an invalid Date, a negative default retention, or (with `requireFuture`) an instant not in the future.
 */
export function resolveExpiresAt(
  input: ExpiresAtInput | undefined,
  options: ResolveExpiresAtOptions,
): Date | null | "default" {
  const field = options.field ?? "expires_at";
  if (input === null || input === undefined) return null;
  if (input === "default") {
    const days = options.defaultRetentionDays;
    if (days === undefined) return "default";
    if (!Number.isFinite(days) || days < 0) {
      throw new StateStoreError(
        "INVALID_VALUE",
        `state_store.default_retention_days must be >= 0, got ${days}; set it to 0 to disable expiry, or send an explicit ${field}`,
        { details: { field, option: "state_store.default_retention_days" } },
      );
    }
    return days === 0 ? null : new Date(options.now.getTime() + days * DAY_MS);
  }
  const date = input instanceof Date ? input : new Date(input);
  if (
    Number.isNaN(date.getTime()) ||
    (!(input instanceof Date) && (typeof input !== "string" || !ISO_WITH_OFFSET.test(input)))
  ) {
    throw new StateStoreError(
      "INVALID_VALUE",
      `${field} ${input instanceof Date ? "is an invalid Date" : JSON.stringify(input)} is not an ISO-8601 date-time with an offset; send for example "2026-06-01T00:00:00Z" or "2026-06-01T02:00:00+02:00", "default" for state_store.default_retention_days, or null to never expire`,
      { details: { field } },
    );
  }
  if (options.requireFuture && date.getTime() <= options.now.getTime()) {
    throw new StateStoreError(
      "INVALID_VALUE",
      `${field} ${JSON.stringify(date.toISOString())} is not in the future (now is ${options.now.toISOString()}), so the key could never be read; delete the key instead, or give a later instant`,
      { details: { field } },
    );
  }
  return date;
}

/**
 * Tells whether an entry has expired at `now`. Asset state never expires, whatever a backend returns.
 *
 * @param expiresAt - the entry's expiry, null for never.
 * @param now - the current instant.
 * @returns true when `expiresAt` is at or before `now`.
 */
export function isExpired(expiresAt: Date | null | undefined, now: Date): boolean {
  return expiresAt !== null && expiresAt !== undefined && expiresAt.getTime() <= now.getTime();
}
