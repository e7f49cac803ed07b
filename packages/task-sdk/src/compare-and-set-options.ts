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
 * The error for compare-and-set through an offloading worker backend: references are deterministic per
 * key, so the backend would overwrite the object before the server checks the condition, and a losing
 * writer would replace the winner's value.
 *
 * @param backendName - the worker backend's name.
 * @returns a `NOT_SUPPORTED` error.
 */
export function compareAndSetWithWorkerBackendError(backendName: string): StateStoreError {
  return new StateStoreError(
    "NOT_SUPPORTED",
    `compare-and-set (ifVersion / ifAbsent) is not supported with a worker backend (${backendName}, workers.state_store_backend): references are deterministic, so the object would be overwritten before the server checks the condition; set without a condition, or run without a worker backend`,
    { details: { operation: "compare-and-set", backend: backendName } },
  );
}
