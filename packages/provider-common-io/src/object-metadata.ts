import type { ObjectHead } from "./object-store.js";

/** User metadata holding the expiry (ISO-8601 UTC); on S3 the header `x-amz-meta-expires-at`. */
export const EXPIRES_AT_METADATA = "expires-at";
/**
 * User metadata holding the full state key (base64url of its UTF-8) when the key's path segment is the
 * hashed, shortened form; on S3 the header `x-amz-meta-state-key`.
 */
export const STATE_KEY_METADATA = "state-key";

/**
 * The expiry of an object.
 *
 * @returns the instant, or null for an object that never expires (no metadata, or unreadable metadata).
 */
export function expiresAtOf(head: ObjectHead): Date | null {
  const text = head.metadata[EXPIRES_AT_METADATA];
  if (text === undefined) return null;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Whether an object's expiry is at or before `now`. */
export function isExpired(head: ObjectHead, now: Date): boolean {
  const expiresAt = expiresAtOf(head);
  return expiresAt !== null && expiresAt.getTime() <= now.getTime();
}

/** Encodes a state key for {@link STATE_KEY_METADATA}. */
export function encodeKeyMetadata(key: string): string {
  return Buffer.from(key, "utf8").toString("base64url");
}

/** The state key recorded in an object's metadata, or undefined. */
export function keyFromMetadata(head: ObjectHead): string | undefined {
  const text = head.metadata[STATE_KEY_METADATA];
  if (text === undefined || !/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  return Buffer.from(text, "base64url").toString("utf8");
}
