/**
 * How {@link ExecutionApiClient} retries calls that failed with a connection error, a timeout or a 5xx
 * answer: capped exponential backoff with jitter, or the answer's `Retry-After` when it asks for longer.
 * 4xx answers are never retried.
 */
export interface RetryOptions {
  /** Total attempts, including the first. Default 4. 1 disables retries. */
  readonly attempts?: number;
  /** Delay before the first retry, in milliseconds. Default 100. */
  readonly initialDelayMs?: number;
  /** Largest delay between attempts, in milliseconds. Default 2000. */
  readonly maxDelayMs?: number;
  /**
   * Longest `Retry-After` of a 5xx answer honoured, in milliseconds: the client waits what the server
   * asks (when longer than the backoff), up to this. Default 60,000.
   */
  readonly maxRetryAfterMs?: number;
}

/** The defaults of {@link RetryOptions}. */
export const DEFAULT_RETRY_OPTIONS: Readonly<Required<RetryOptions>> = Object.freeze({
  attempts: 4,
  initialDelayMs: 100,
  maxDelayMs: 2000,
  maxRetryAfterMs: 60_000,
});

/**
 * The delay before retry number `retry` (1 for the first retry): `initialDelayMs · 2^(retry-1)`, capped at
 * `maxDelayMs`, then scaled by a random factor in [0.5, 1] so that workers that failed together do not
 * retry together.
 *
 * @param retry - 1-based retry number.
 * @param options - the retry options (defaults filled in).
 * @param random - a source of numbers in [0, 1). Default `Math.random`.
 * @returns the delay in milliseconds.
 */
export function backoffDelayMs(
  retry: number,
  options: Readonly<Required<RetryOptions>>,
  random: () => number = Math.random,
): number {
  const exponential = options.initialDelayMs * 2 ** Math.max(0, retry - 1);
  const capped = Math.min(options.maxDelayMs, exponential);
  return Math.round(capped * (0.5 + random() * 0.5));
}
