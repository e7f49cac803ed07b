/**
 * The current instant, as a `Date` (UTC). The accessors compute `expires_at` from it; tests inject a
 * frozen clock such as `() => new Date("2026-05-14T12:00:00Z")`.
 */
export type Clock = () => Date;

/** The system clock. */
export const systemClock: Clock = () => new Date();
