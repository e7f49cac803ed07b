/**
 * Retention that never expires: pass it as `retentionMs` to {@link TaskStateStoreAccessor.set} and the key
 * is stored with `expires_at = null`, so garbage collection skips it. Reference: `NEVER_EXPIRE` of the
 * AIP-103 task SDK (`retention=NEVER_EXPIRE`).
 *
 * @example
 * ```ts
 * await ctx.taskStateStore.set("job_id", id, { retentionMs: NEVER_EXPIRE });
 * ```
 */
export const NEVER_EXPIRE: unique symbol = Symbol.for("@tidemark/task-sdk.NEVER_EXPIRE");

/** The type of {@link NEVER_EXPIRE}. */
export type NeverExpire = typeof NEVER_EXPIRE;
