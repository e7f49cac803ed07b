import type { JsonValue } from "./json-value.js";

/**
 * The single member name of a reference envelope, `{"__airflow_state_ref__": "<ref>"}`: what the
 * database holds when a worker backend offloaded a value (reference: PR "Decorate custom state refs with
 * an envelope for UI clarity"). Kept byte-for-byte so state written by Tidemark and Airflow reads alike.
 */
export const STATE_REF_KEY = "__airflow_state_ref__";

/** The reference envelope stored in place of an offloaded value. */
export interface StateRefEnvelope {
  /** The worker backend's raw reference, for example `s3://bucket/prefix/dag/run/task/-1/key`. */
  readonly [STATE_REF_KEY]: string;
}

/**
 * Wraps a backend's reference in the envelope. Backends return the raw reference; the framework wraps it
 * (the reference: "Do not wrap the reference yourself").
 *
 * @param ref - the reference, for example `s3://bucket/prefix/dag/run/task/-1/key`.
 * @returns `{"__airflow_state_ref__": ref}`.
 */
export function wrapStateRef(ref: string): StateRefEnvelope {
  return { [STATE_REF_KEY]: ref };
}

/**
 * Extracts the reference from a stored value when, and only when, it is an envelope: a plain object whose
 * single member is {@link STATE_REF_KEY} holding a non-empty string. Anything else (a user's own dict with
 * more members, a non-string ref, an empty string) is not an envelope.
 *
 * @param value - a decoded stored value.
 * @returns the reference, or undefined when `value` is not an envelope.
 */
export function unwrapStateRef(value: JsonValue | unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return undefined;
  const members = Object.keys(value);
  if (members.length !== 1 || members[0] !== STATE_REF_KEY) return undefined;
  const ref = (value as Record<string, unknown>)[STATE_REF_KEY];
  return typeof ref === "string" && ref.length > 0 ? ref : undefined;
}

/**
 * Tells, without decoding the whole value, whether stored JSON text may hold an envelope, then decodes
 * and unwraps it. Used by servers to mark entries `is_reference` in listings.
 *
 * @param text - stored JSON text.
 * @returns the reference, or undefined.
 */
export function refFromStoredText(text: string): string | undefined {
  if (!text.includes(STATE_REF_KEY) || text.length > 65_536) return undefined;
  try {
    return unwrapStateRef(JSON.parse(text));
  } catch {
    return undefined;
  }
}
