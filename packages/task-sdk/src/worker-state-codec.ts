import {
  type AssetScope,
  assertWithinSizeLimit,
  type WorkerStoreBackend,
  describeScope,
  encodeValue,
  isStateStoreError,
  type JsonValue,
  STATE_REF_KEY,
  StateStoreError,
  type StoreScope,
  type TaskScope,
  unwrapStateRef,
  utf8ByteLength,
  validateKey,
  wrapStateRef,
} from "@tidemark/state";
import { compareAndSetTooLargeError } from "./compare-and-set-options.js";
import type { TaskLogger } from "./task-logger.js";

/** What {@link encodeForWire} needs. */
export interface EncodeForWireArgs {
  readonly key: string;
  readonly value: unknown;
  readonly scope: StoreScope;
  /** The worker backend, or null for values inline. */
  readonly backend: WorkerStoreBackend | null;
  /** `state_store.max_value_storage_bytes` (0 = no limit), checked on what is sent. */
  readonly maxBytes: number;
  /**
   * Keep the value inline even with a worker backend: true for compare-and-set writes, whose value must
   * not reach the key's deterministic object before the server has checked the condition.
   */
  readonly inline?: boolean;
}

/**
 * Turns a value task code stores into the JSON value sent to the Execution API, before any request:
 * validates the key (`validateKey`) and the value (`encodeValue`), asks the worker backend's
 * `serialize…ToRef` hook for a reference and wraps it in `{"__airflow_state_ref__": ref}` (a null reference
 * keeps the value inline), then checks the size of what will be sent against `maxBytes`. With `inline`
 * (compare-and-set writes) the hook is not called and the value is sent as it is.
 *
 * Reference: `TaskStateStoreAccessor.set()` / `AssetStateStoreAccessor.set()` with a worker backend; the
 * reference only warns about size on this path, Tidemark refuses.
 *
 * @returns the payload: the value itself or the envelope.
 * @throws StateStoreError `INVALID_KEY`, `INVALID_VALUE`, `VALUE_TOO_LARGE` (nothing is sent; for an `inline`
 *   write the message explains why it could not be offloaded), or what the backend's hook throws.
 */
export async function encodeForWire(args: EncodeForWireArgs): Promise<JsonValue> {
  const key = validateKey(args.key);
  const label = `value of key ${JSON.stringify(key)}`;
  const text = encodeValue(args.value, { maxBytes: 0, label });
  const value = args.value as JsonValue;
  let payload: JsonValue = value;
  let payloadText = text;
  if (args.inline && args.backend !== null) {
    const size = args.maxBytes > 0 ? utf8ByteLength(text) : 0;
    if (size > args.maxBytes && args.maxBytes > 0) throw compareAndSetTooLargeError(key, size, args.maxBytes);
  } else if (args.backend !== null) {
    const hookArgs = { value, text, key };
    const ref =
      args.scope.kind === "task"
        ? await args.backend.serializeTaskStateStoreToRef({ ...hookArgs, scope: args.scope as TaskScope })
        : await args.backend.serializeAssetStateStoreToRef({ ...hookArgs, scope: args.scope as AssetScope });
    if (ref !== null && ref !== undefined) {
      if (typeof ref !== "string" || ref.length === 0) {
        throw new StateStoreError(
          "CONFIG_ERROR",
          `worker backend ${args.backend.name} returned ${JSON.stringify(ref)} as the reference of key ${JSON.stringify(key)}; serialize…ToRef must return a non-empty string or null (keep inline)`,
          { details: { option: "workers.state_store_backend" } },
        );
      }
      payload = wrapStateRef(ref) as unknown as JsonValue;
      payloadText = JSON.stringify(payload);
    }
  }
  assertWithinSizeLimit(payloadText, args.maxBytes, label);
  return payload;
}

/** What {@link decodeFromWire} needs. */
export interface DecodeFromWireArgs {
  readonly key: string;
  /** The value the Execution API returned. */
  readonly stored: JsonValue;
  readonly scope: StoreScope;
  readonly backend: WorkerStoreBackend | null;
  readonly log: TaskLogger;
}

function looksLikeMalformedEnvelope(stored: JsonValue): boolean {
  return (
    typeof stored === "object" &&
    stored !== null &&
    !Array.isArray(stored) &&
    Object.hasOwn(stored, STATE_REF_KEY)
  );
}

/**
 * Turns a value read from the Execution API back into the value task code stored: an envelope goes to
 * the worker backend's `deserialize…FromRef(ref)`; anything else is returned as stored.
 *
 * With a backend configured, a value that carries the envelope's member but is not a valid envelope
 * (extra members, a non-string or empty ref) is returned as stored with a warning (reference: "a warning
 * is logged"); plain inline values (below an offloading threshold) are normal and not logged.
 *
 * @returns the value.
 * @throws StateStoreError `CONFIG_ERROR` when the value is a reference envelope and no worker backend is
 *   configured (the value lives in external storage the worker cannot reach); what the backend's hook
 *   throws (`NOT_FOUND` when the referenced object is gone).
 */
export async function decodeFromWire(args: DecodeFromWireArgs): Promise<JsonValue> {
  const ref = unwrapStateRef(args.stored);
  if (ref === undefined) {
    if (args.backend !== null && looksLikeMalformedEnvelope(args.stored)) {
      args.log.warn(
        { key: args.key, scope: describeScope(args.scope) },
        `state key ${JSON.stringify(args.key)} holds an object with "${STATE_REF_KEY}" that is not a valid reference envelope (it must be the only member and a non-empty string); returning it as stored`,
      );
    }
    return args.stored;
  }
  if (args.backend === null) {
    throw new StateStoreError(
      "CONFIG_ERROR",
      `state key ${JSON.stringify(args.key)} of ${describeScope(args.scope)} holds a reference to externally stored data (${JSON.stringify(ref)}), but no worker backend is configured; set workers.state_store_backend to the backend that wrote it`,
      { details: { option: "workers.state_store_backend", ref } },
    );
  }
  return args.scope.kind === "task"
    ? args.backend.deserializeTaskStateStoreFromRef(ref, { scope: args.scope as TaskScope, key: args.key })
    : args.backend.deserializeAssetStateStoreFromRef(ref, { scope: args.scope as AssetScope, key: args.key });
}

/**
 * Runs the worker backend's half of a delete or clear after the database reference is gone (reference:
 * "cleanup the DB ref first, if backend cleanup fails after this, the ref is gone and deterministic keys
 * are recoverable on next set()").
 *
 * @param what - words for the message, for example `delete of key "k"`.
 * @param action - the backend call.
 * @throws StateStoreError with the backend error's code (else `BACKEND_UNAVAILABLE`) and the error as
 *   `cause`, saying that the database side succeeded and the object may be orphaned until the next set.
 */
export async function afterDatabase(
  backend: WorkerStoreBackend,
  what: string,
  action: () => Promise<void>,
): Promise<void> {
  try {
    await action();
  } catch (cause) {
    const code = isStateStoreError(cause) ? cause.code : "BACKEND_UNAVAILABLE";
    throw new StateStoreError(
      code,
      `${what}: the state store no longer holds the reference, but worker backend ${backend.name} failed to remove the object (${(cause as Error)?.message ?? String(cause)}); the object is orphaned until the next set of the same key overwrites it`,
      { cause, details: { backend: backend.name, databaseDone: true } },
    );
  }
}
