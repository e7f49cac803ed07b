import type { StateStoreErrorCode } from "@tidemark/state";
import { expect } from "vitest";
import { toRejectWithCode } from "./to-reject-with-code.js";

declare module "vitest" {
  // biome-ignore lint/suspicious/noExplicitAny: a merged declaration repeats vitest's `Matchers<T = any>`
  interface Matchers<T = any> {
    /**
     * Passes when the promise (or function) rejects with a `StateStoreError` of `code`. Await it.
     *
     * @param code - the expected error code.
     */
    toRejectWithCode(code: StateStoreErrorCode): Promise<void>;
  }
}

/** Every matcher of `@tidemark/testkit/matchers`, for `expect.extend`. */
export const stateStoreMatchers = {
  /** `await expect(promise).toRejectWithCode(code)`: the promise rejects with a `StateStoreError` of `code`. */
  toRejectWithCode,
};

/**
 * Registers the state store matchers with vitest's `expect`. Idempotent; the suites call it, and a test
 * file (or a `setupFiles` entry, `@tidemark/testkit/matchers/setup`) may too.
 */
export function installStateStoreMatchers(): void {
  expect.extend(stateStoreMatchers);
}
