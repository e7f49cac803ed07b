/**
 * What vitest hands a state store matcher as `this`: the part of vitest's `MatcherState` the matchers
 * read, so they can also be called with a hand-made context.
 */
export interface StateStoreMatcherContext {
  /** True under `expect(…).not`. */
  readonly isNot: boolean;
  /** vitest's printing helpers. */
  readonly utils: {
    /**
     * Formats the received value for a failure message.
     *
     * @param value - the received value.
     * @returns the formatted text.
     */
    printReceived(value: unknown): string;
  };
}

/** What a state store matcher resolves to, as vitest's `expect.extend` expects. */
export interface StateStoreMatcherResult {
  /** Whether the expectation held (before vitest applies `.not`). */
  readonly pass: boolean;
  /** The failure message, built only when vitest reports it. */
  readonly message: () => string;
}
