import { isStateStoreError, type StateStoreError } from "@tidemark/state";

/** The StateStoreError a promise rejects with; anything else, or no rejection, fails the test. */
export async function rejection(promise: Promise<unknown>): Promise<StateStoreError> {
  try {
    await promise;
  } catch (error) {
    if (isStateStoreError(error)) return error;
    throw error;
  }
  throw new Error("expected a StateStoreError");
}
