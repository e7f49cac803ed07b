import { describeScope, type StoreScope } from "../scope.js";
import { StateStoreError } from "../state-store-error.js";

/**
 * A compare-and-set value too large to stay inline. Conditional writes always keep their value inline,
 * even with a worker backend: references are deterministic per key, so an offloaded object would be
 * overwritten before the server checks the condition, and a losing writer would replace the winner's value.
 *
 * @param key - the key written.
 * @param size - the value's JSON size in UTF-8 bytes.
 * @param limit - `state_store.max_value_storage_bytes`.
 * @returns a `VALUE_TOO_LARGE` error naming the limit, the size and the remedies.
 */
export function conditionalValueTooLarge(key: string, size: number, limit: number): StateStoreError {
  return new StateStoreError(
    "VALUE_TOO_LARGE",
    `value of key ${JSON.stringify(key)} is ${size} bytes of JSON, over the limit of ${limit} bytes (state_store.max_value_storage_bytes); a compare-and-set write (ifVersion / ifAbsent) always keeps its value inline in the database, because a worker backend would overwrite the key's object before the server checks the condition: write it without a condition so the worker backend can offload it, store a smaller value, or raise state_store.max_value_storage_bytes`,
    { details: { limit, size, operation: "compare-and-set" } },
  );
}

/**
 * A reference read on a worker that has no worker backend to resolve it.
 *
 * @param scope - where it was read.
 * @param key - the key.
 * @param ref - the reference.
 * @returns a `CONFIG_ERROR` naming `workers.state_store_backend`.
 */
export function danglingReference(scope: StoreScope, key: string, ref: string): StateStoreError {
  return new StateStoreError(
    "CONFIG_ERROR",
    `state key ${JSON.stringify(key)} of ${describeScope(scope)} holds a reference to externally stored data (${JSON.stringify(ref)}), but no worker backend is configured; set workers.state_store_backend to the backend that wrote it`,
    { details: { option: "workers.state_store_backend", ref } },
  );
}

/**
 * A worker backend hook that returned something other than a reference or null.
 *
 * @param backend - the worker backend's name.
 * @param key - the key written.
 * @param ref - what the hook returned.
 * @returns a `CONFIG_ERROR` naming `workers.state_store_backend`.
 */
export function invalidReference(backend: string, key: string, ref: unknown): StateStoreError {
  return new StateStoreError(
    "CONFIG_ERROR",
    `worker backend ${backend} returned ${JSON.stringify(ref)} as the reference of key ${JSON.stringify(key)}; serialize…ToRef must return a non-empty string or null (keep inline)`,
    { details: { option: "workers.state_store_backend" } },
  );
}
