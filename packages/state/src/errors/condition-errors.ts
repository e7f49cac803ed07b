import { pythonRepr } from "../python-repr.js";
import { StateStoreError } from "../state-store-error.js";

/**
 * How a caller stated its condition, for messages: `ifVersion` / `ifAbsent` of the programmatic API
 * (a failure is `CONFLICT`), or the `If-Match` / `If-None-Match` headers of a conditional HTTP request
 * (a failure is `PRECONDITION_FAILED`, RFC 9110).
 */
export type ConditionStyle = "options" | "http";

/** A write or delete condition, as the state store checks it. */
export type ConditionSpec =
  | {
      /** Holds when the live value is at one of `versions`. */
      readonly kind: "version";
      /** The accepted versions, or `*` for any live value. */
      readonly versions: readonly number[] | "*";
    }
  | {
      /** Holds when no live value exists. */
      readonly kind: "absent";
    };

/**
 * Describes a condition in the caller's own terms, for example `If-Match: "3"`, `If-None-Match: *` or
 * `ifVersion 3`.
 *
 * @param condition - the condition.
 * @param style - how the caller stated it.
 * @returns the words.
 */
export function describeCondition(condition: ConditionSpec, style: ConditionStyle): string {
  if (style === "http") {
    if (condition.kind === "absent") return "If-None-Match: *";
    const versions = condition.versions;
    return `If-Match: ${versions === "*" ? "*" : versions.map((v) => `"${v}"`).join(", ")}`;
  }
  if (condition.kind === "absent") return "ifAbsent";
  const versions = condition.versions;
  return versions === "*" ? "a live value" : `ifVersion ${versions.join(" or ")}`;
}

/**
 * A condition that does not hold. One wording for every path; the code follows the caller's style
 * (`CONFLICT` for options, `PRECONDITION_FAILED` for HTTP headers) and `details.currentVersion` carries
 * the live version (null for none), which servers send back as the `ETag`.
 *
 * @param key - the key.
 * @param condition - the condition that failed.
 * @param currentVersion - the live value's version, or null when there is no live value.
 * @param style - how the caller stated the condition.
 * @returns the error.
 */
export function conditionFailed(
  key: string,
  condition: ConditionSpec,
  currentVersion: number | null,
  style: ConditionStyle,
): StateStoreError {
  const what = describeCondition(condition, style);
  const create = style === "http" ? "If-None-Match: *" : "ifAbsent";
  const message =
    currentVersion === null
      ? `key ${pythonRepr(key)} has no live value, so ${what} does not hold; read it again, or use ${create} to create it`
      : `key ${pythonRepr(key)} is at version ${currentVersion}, so ${what} does not hold; read it again (its ${style === "http" ? `ETag is "${currentVersion}"` : `version is ${currentVersion}`}) and retry`;
  return new StateStoreError(style === "http" ? "PRECONDITION_FAILED" : "CONFLICT", message, {
    details: { key, currentVersion },
  });
}

/**
 * Malformed compare-and-set options.
 *
 * @param field - `ifVersion`, `ifAbsent` or `ifMatch`.
 * @param message - what is wrong and the rule.
 * @returns an `INVALID_VALUE` error.
 */
export function invalidCondition(
  field: "ifVersion" | "ifAbsent" | "ifMatch",
  message: string,
): StateStoreError {
  return new StateStoreError("INVALID_VALUE", message, { details: { field } });
}
