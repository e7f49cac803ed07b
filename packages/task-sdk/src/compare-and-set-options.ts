import { StateStoreError } from "@tidemark/state";

/** Compare-and-set conditions of a `set`: at most one of them. */
export interface CompareAndSetOptions {
  /** Write only if the stored version equals this (from `getEntry`); else `CONFLICT`. */
  readonly ifVersion?: number;
  /** Write only if no live value exists; else `CONFLICT`. */
  readonly ifAbsent?: boolean;
}

/**
 * Validates compare-and-set conditions before anything is sent.
 *
 * @param options - the caller's conditions.
 * @returns whether a condition is present.
 * @throws StateStoreError `INVALID_VALUE` for an `ifVersion` that is not a positive integer, an
 *   `ifAbsent` that is not a boolean, or both at once.
 */
export function checkCompareAndSet(options: CompareAndSetOptions): boolean {
  const { ifVersion, ifAbsent } = options;
  if (ifVersion !== undefined && (!Number.isSafeInteger(ifVersion) || ifVersion < 1)) {
    throw new StateStoreError(
      "INVALID_VALUE",
      `ifVersion must be a positive integer (a version read with getEntry), got ${String(ifVersion)}`,
      { details: { field: "ifVersion" } },
    );
  }
  if (ifAbsent !== undefined && typeof ifAbsent !== "boolean") {
    throw new StateStoreError("INVALID_VALUE", `ifAbsent must be true or false, got ${String(ifAbsent)}`, {
      details: { field: "ifAbsent" },
    });
  }
  if (ifVersion !== undefined && ifAbsent === true) {
    throw new StateStoreError(
      "INVALID_VALUE",
      "ifVersion and ifAbsent exclude each other: use ifAbsent to create a key, ifVersion to update one",
      { details: { field: "ifAbsent" } },
    );
  }
  return ifVersion !== undefined || ifAbsent === true;
}

/**
 * The error for a compare-and-set write too large to stay inline. Conditional writes always keep the value
 * inline in the database, even with a worker backend: references are deterministic per key, so an
 * offloaded object would be overwritten before the server checks the condition, and a losing writer would
 * replace the winner's value.
 *
 * @param key - the key written.
 * @param size - the value's JSON size in UTF-8 bytes.
 * @param limit - `state_store.max_value_storage_bytes`.
 * @returns a `VALUE_TOO_LARGE` error naming the limit, the size and the remedies.
 */
export function compareAndSetTooLargeError(key: string, size: number, limit: number): StateStoreError {
  return new StateStoreError(
    "VALUE_TOO_LARGE",
    `value of key ${JSON.stringify(key)} is ${size} bytes of JSON, over the limit of ${limit} bytes (state_store.max_value_storage_bytes); a compare-and-set write (ifVersion / ifAbsent) always keeps its value inline in the database, because a worker backend would overwrite the key's object before the server checks the condition: write it without a condition so the worker backend can offload it, store a smaller value, or raise state_store.max_value_storage_bytes`,
    { details: { limit, size, operation: "compare-and-set" } },
  );
}

/**
 * The compare-and-set conditions to pass on to the API client, without absent members.
 *
 * @param options - the caller's (already checked) conditions.
 * @returns `{ifVersion}`, `{ifAbsent: true}` or `{}`.
 */
export function conditionsOf(options: CompareAndSetOptions): CompareAndSetOptions {
  return {
    ...(options.ifVersion !== undefined ? { ifVersion: options.ifVersion } : {}),
    ...(options.ifAbsent ? { ifAbsent: true } : {}),
  };
}
