import { createHash } from "node:crypto";

/**
 * A short tag of a `database.url` (the first 8 hex digits of its SHA-256), naming the files and folders
 * the demo keeps per metastore, so that pointing the demo at another database never mixes their
 * warehouses or objects.
 *
 * @param databaseUrl - the configured `database.url`, as written.
 * @returns 8 lowercase hex digits.
 */
export function databaseTag(databaseUrl: string): string {
  return createHash("sha256").update(databaseUrl).digest("hex").slice(0, 8);
}
