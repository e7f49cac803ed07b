import { pythonRepr } from "../python-repr.js";
import type { StoreScope } from "../scope.js";
import { StateStoreError } from "../state-store-error.js";

/** `Task state store` or `Asset state store`, as Airflow's messages name the two stores. */
function storeName(scope: StoreScope): string {
  return scope.kind === "task" ? "Task state store" : "Asset state store";
}

/**
 * A key that has no live value: Airflow's own wording (`Task state store key 'k' not found`), so clients
 * that match on it keep working.
 *
 * @param scope - the scope read.
 * @param key - the key.
 * @returns a `NOT_FOUND` error.
 */
export function keyNotFound(scope: StoreScope, key: string): StateStoreError {
  return new StateStoreError("NOT_FOUND", `${storeName(scope)} key ${pythonRepr(key)} not found`, {
    details: { key },
  });
}

/**
 * A write that landed but whose entry another writer deleted before it could be read back.
 *
 * @param key - the key written.
 * @returns a `CONFLICT` error.
 */
export function writtenThenDeleted(key: string): StateStoreError {
  return new StateStoreError(
    "CONFLICT",
    `key ${JSON.stringify(key)} was written, then deleted by another writer before it could be read back; read it again`,
    { details: { key } },
  );
}

/**
 * A value holding the reserved reference member that the caller may not write: only worker backends
 * write references, and an export restores them only with its seal.
 *
 * @param key - the key written.
 * @param reserved - the reserved member name.
 * @returns an `INVALID_VALUE` error.
 */
export function reservedReferenceMember(key: string, reserved: string): StateStoreError {
  return new StateStoreError(
    "INVALID_VALUE",
    `value of key ${JSON.stringify(key)} holds the reserved member "${reserved}", which marks a reference to offloaded state that only workers write; to store such data, wrap it, for example {"data": <value>}`,
    { details: { field: "value", key, reserved } },
  );
}

/**
 * A value restored as a reference that is not a reference envelope.
 *
 * @param key - the key written.
 * @returns an `INVALID_VALUE` error.
 */
export function notAReferenceEnvelope(key: string): StateStoreError {
  return new StateStoreError(
    "INVALID_VALUE",
    `value of key ${JSON.stringify(key)} is restored as a reference but is not a reference envelope {"__airflow_state_ref__": "<ref>"}; restore it as a plain value instead`,
    { details: { field: "value", key } },
  );
}
