import type { TaskScope } from "@tidemark/state";
import type { StateStoreObjectStorageBackend } from "../../src/index.js";

/**
 * One call of every backend operation that reaches the store, each started only when called: what the
 * failure tests try against a store that cannot answer.
 */
export function storeOperations(
  b: StateStoreObjectStorageBackend,
  scope: TaskScope,
): (() => Promise<unknown>)[] {
  return [
    () => b.get(scope, "k"),
    () => b.set(scope, "k", "1"),
    () => b.delete(scope, "k"),
    () => b.clear(scope),
    () => b.list(scope),
    () => b.cleanup(),
    () => b.serializeTaskStateStoreToRef({ value: 1, text: "1", key: "k", scope }),
    () => b.deserializeTaskStateStoreFromRef(b.refFor(scope, "k")),
  ];
}
