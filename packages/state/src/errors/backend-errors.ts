import { isStateStoreError, StateStoreError } from "../state-store-error.js";

/**
 * An operation or option the backend does not declare in its capabilities. Raised by the state store
 * before the backend is called, so a backend never sees what it cannot honour.
 *
 * @param backend - the backend's name.
 * @param operation - what was asked, for example `list` or `compare-and-set (ifVersion / ifAbsent)`.
 * @param remedy - what the caller can do instead.
 * @returns a `NOT_SUPPORTED` error.
 */
export function notSupported(backend: string, operation: string, remedy?: string): StateStoreError {
  return new StateStoreError(
    "NOT_SUPPORTED",
    `${backend} does not support ${operation}; ${remedy ?? "check the backend's capabilities before calling it, or configure a backend that supports it (state_store.backend)"}`,
    { details: { operation, backend } },
  );
}

/**
 * The worker backend failed to remove an object after the database reference was removed (reference:
 * "cleanup the DB ref first"): the object is orphaned until the next set of the key overwrites it.
 *
 * @param backend - the worker backend's name.
 * @param what - the operation, for example `delete of task state key "k"`.
 * @param cause - the backend's error (its code is kept, else `BACKEND_UNAVAILABLE`).
 * @returns the error, with `details.databaseDone` true.
 */
export function orphanedAfterDatabase(backend: string, what: string, cause: unknown): StateStoreError {
  return new StateStoreError(
    isStateStoreError(cause) ? cause.code : "BACKEND_UNAVAILABLE",
    `${what}: the state store no longer holds the reference, but worker backend ${backend} failed to remove the object (${(cause as Error)?.message ?? String(cause)}); the object is orphaned until the next set of the same key overwrites it`,
    { cause, details: { backend, databaseDone: true } },
  );
}

/**
 * A backend's atomic compare-and-set condition (`ifVersion` / `ifAbsent`) did not hold, so nothing was
 * written or deleted. Backends raise it without re-reading: the state store re-reads the key and words
 * the failure for the caller (`conditionFailed`).
 *
 * @param key - the key written or deleted.
 * @returns a `CONFLICT` error.
 */
export function compareAndSetConflict(key: string): StateStoreError {
  return new StateStoreError(
    "CONFLICT",
    `the compare-and-set condition on key ${JSON.stringify(key)} did not hold, so nothing was written; read the key again and retry`,
    { details: { key } },
  );
}
