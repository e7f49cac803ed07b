import { isStateStoreError, StateStoreError } from "@tidemark/state";

/** Time for {@link runStartupCheck}: the system clock by default, a fake one in tests. */
export interface StartupClock {
  /** Milliseconds since some fixed instant (monotonic is best). */
  now(): number;
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
}

/** Logs like pino: `(object, message)`. */
export interface StartupLogger {
  /** A failed attempt that will be retried. */
  warn(object: Record<string, unknown>, message: string): void;
  /** A check that passed after retries. */
  info(object: Record<string, unknown>, message: string): void;
}

/** Options of {@link runStartupCheck}. */
export interface StartupCheckOptions {
  /**
   * One attempt: resolves when the server can serve; rejects with `BACKEND_UNAVAILABLE` when not yet
   * (retried), with any other error when retrying cannot help (thrown at once).
   */
  readonly attempt: () => Promise<void>;
  /** How long to keep retrying, in milliseconds (`api.startup_timeout_seconds` × 1000); 0 = one attempt. */
  readonly timeoutMs: number;
  /** Logs each failed attempt that is retried (attempt number, reason, delay). */
  readonly logger?: StartupLogger | undefined;
  /** The clock. Default: `performance.now()` and `setTimeout`. */
  readonly clock?: StartupClock;
  /** The delay after the first failed attempt, in milliseconds; doubles after each. Default 250. */
  readonly initialDelayMs?: number;
  /** The longest delay between attempts, in milliseconds. Default 5000. */
  readonly maxDelayMs?: number;
}

const SYSTEM_CLOCK: StartupClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Runs the api-server's start-up check until it passes: once when `timeoutMs` is 0, else again after
 * each `BACKEND_UNAVAILABLE` with exponential backoff (250 ms, doubling, at most 5 s, never past the
 * deadline), logging each failed attempt, until the deadline.
 *
 * @param options - the attempt, the deadline, the logger, the clock and the backoff.
 * @returns the number of attempts made (1 when the first passed).
 * @throws StateStoreError `BACKEND_UNAVAILABLE` with the last attempt's reason (and, when it retried, how
 *   many attempts it made); any other error of an attempt, unchanged, at once.
 */
export async function runStartupCheck(options: StartupCheckOptions): Promise<number> {
  const clock = options.clock ?? SYSTEM_CLOCK;
  const timeoutMs = Math.max(0, options.timeoutMs);
  const maxDelayMs = options.maxDelayMs ?? 5000;
  const started = clock.now();
  const deadline = started + timeoutMs;
  let delay = options.initialDelayMs ?? 250;
  for (let attempt = 1; ; attempt++) {
    try {
      await options.attempt();
      if (attempt > 1) options.logger?.info({ attempt }, `start-up check passed on attempt ${attempt}`);
      return attempt;
    } catch (error) {
      if (!isStateStoreError(error) || error.code !== "BACKEND_UNAVAILABLE") throw error;
      const remaining = deadline - clock.now();
      if (remaining <= 0) {
        if (timeoutMs === 0) {
          throw new StateStoreError(
            "BACKEND_UNAVAILABLE",
            `${error.message} (set api.startup_timeout_seconds to keep retrying at start-up)`,
            { cause: error.cause, details: error.details },
          );
        }
        const seconds = Math.round((clock.now() - started) / 100) / 10;
        throw new StateStoreError(
          "BACKEND_UNAVAILABLE",
          `${error.message} (still failing after ${attempt} attempts in ${seconds} s; api.startup_timeout_seconds = ${timeoutMs / 1000})`,
          { cause: error.cause, details: error.details },
        );
      }
      const wait = Math.min(delay, maxDelayMs, remaining);
      options.logger?.warn(
        { attempt, reason: error.message, retryInMs: Math.round(wait), deadlineInMs: Math.round(remaining) },
        `start-up check failed on attempt ${attempt}; retrying`,
      );
      await clock.sleep(wait);
      delay = Math.min(delay * 2, maxDelayMs);
    }
  }
}
