import { StateStoreError } from "@tidemark/state";
import { NEVER_EXPIRE, type NeverExpire } from "./never-expire.js";

const DAY_MS = 86_400_000;

/**
 * Computes a task state key's `expires_at` on the worker, in UTC (reference: `TaskStateAccessor.set`
 * with `retention`):
 * - `NEVER_EXPIRE` → null (never expires);
 * - a number of milliseconds → `now + retentionMs` (0 expires at once);
 * - absent → `now + defaultRetentionDays` days, or null when `defaultRetentionDays` is 0; when the worker
 *   does not know `defaultRetentionDays` (undefined), `"default"`: the server applies its own (the
 *   Execution API's `default-expiry` extension).
 *
 * @param retentionMs - the caller's retention in milliseconds, `NEVER_EXPIRE`, or undefined.
 * @param now - the current instant.
 * @param defaultRetentionDays - `state_store.default_retention_days`, or undefined when unknown.
 * @returns the expiry instant, null, or `"default"`.
 * @throws StateStoreError `INVALID_VALUE` for a negative, NaN or infinite retention, or one that is
 *   neither a number nor `NEVER_EXPIRE`.
 */
export function computeExpiresAt(
  retentionMs: number | NeverExpire | undefined,
  now: Date,
  defaultRetentionDays: number | undefined,
): Date | null | "default" {
  if (retentionMs === NEVER_EXPIRE) return null;
  if (retentionMs === undefined) {
    if (defaultRetentionDays === undefined) return "default";
    return defaultRetentionDays <= 0 ? null : new Date(now.getTime() + defaultRetentionDays * DAY_MS);
  }
  if (typeof retentionMs !== "number" || !Number.isFinite(retentionMs) || retentionMs < 0) {
    throw new StateStoreError(
      "INVALID_VALUE",
      `retentionMs must be a finite number of milliseconds >= 0 or NEVER_EXPIRE, got ${typeof retentionMs === "number" ? String(retentionMs) : typeof retentionMs}; for example { retentionMs: 7 * 86_400_000 } keeps the key 7 days`,
      { details: { field: "retentionMs" } },
    );
  }
  const expires = new Date(now.getTime() + retentionMs);
  if (Number.isNaN(expires.getTime())) {
    throw new StateStoreError(
      "INVALID_VALUE",
      `retentionMs ${retentionMs} puts expires_at beyond the largest date; use NEVER_EXPIRE for keys that should not expire`,
      { details: { field: "retentionMs" } },
    );
  }
  return expires;
}
