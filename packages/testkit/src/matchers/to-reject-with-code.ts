import { isStateStoreError, type StateStoreErrorCode } from "@tidemark/state";
import type { StateStoreMatcherContext, StateStoreMatcherResult } from "./matcher-protocol.js";

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${typeof code === "string" ? ` ${code}` : ""}: ${error.message}`;
  }
  return String(error);
}

/**
 * The `toRejectWithCode(code)` matcher: passes when the received promise (or a function returning one)
 * rejects with a `StateStoreError` of `code`. Install it with `installStateStoreMatchers()`.
 *
 * @example
 * ```ts
 * await expect(store.set(scope, "k", 1, { ifAbsent: true })).toRejectWithCode("CONFLICT");
 * ```
 * @param received - a promise, or a function returning a promise or throwing.
 * @param code - the expected error code.
 * @returns the matcher result.
 */
export async function toRejectWithCode(
  this: StateStoreMatcherContext,
  received: unknown,
  code: StateStoreErrorCode,
): Promise<StateStoreMatcherResult> {
  let settled: { ok: true; value: unknown } | { ok: false; error: unknown };
  try {
    const value = await (typeof received === "function" ? (received as () => unknown)() : received);
    settled = { ok: true, value };
  } catch (error) {
    settled = { ok: false, error };
  }
  if (settled.ok) {
    return {
      pass: false,
      message: () =>
        `expected a rejection with StateStoreError ${code}, but it resolved to ${this.utils.printReceived(settled.value)}`,
    };
  }
  const error = settled.error;
  const pass = isStateStoreError(error, code);
  return {
    pass,
    message: () =>
      pass
        ? `expected no rejection with StateStoreError ${code}, but got ${describeError(error)}`
        : `expected a rejection with StateStoreError ${code}, but got ${describeError(error)}`,
  };
}
