import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { TidemarkConfig } from "@tidemark/config";
import { StateStoreError } from "@tidemark/state";

/** Where a generated key is kept, relative to the working directory. */
export const SECRET_KEY_FILE = join(".tidemark", "secret_key");

/** Shortest `api.secret_key` accepted, in characters: HS256 wants at least 256 bits of key. */
export const MIN_SECRET_KEY_LENGTH = 32;

/** Options of {@link resolveSecretKey}. */
export interface ResolveSecretKeyOptions {
  /** Directory `.tidemark/secret_key` lives in. Default `process.cwd()`. */
  cwd?: string;
}

/** The signing key of Execution API tokens and where it came from. */
export interface ResolvedSecretKey {
  /** The HS256 key bytes (UTF-8 of the configured or generated text). */
  readonly key: Uint8Array;
  /** `config` (api.secret_key), `file` (an existing .tidemark/secret_key) or `generated` (just created). */
  readonly source: "config" | "file" | "generated";
  /** The key file, when the key came from one. */
  readonly path?: string;
}

/**
 * The HS256 key that signs task instance and watcher tokens: `api.secret_key` when set, else the key in
 * `./.tidemark/secret_key`, generated (32 random bytes, base64url) and written with mode 0600 at first
 * start. Two processes starting at once agree: the file is created exclusively and the loser reads it.
 * The api-server and `tidemark task-instances token` call this with the same working directory.
 *
 * @param config - the configuration (`api.secret_key`).
 * @param options - the working directory.
 * @returns the key and its source.
 * @throws StateStoreError `CONFIG_ERROR` when `api.secret_key` is shorter than 32 characters, or the key
 *   file cannot be read, created, or is empty.
 */
export function resolveSecretKey(
  config: TidemarkConfig,
  options: ResolveSecretKeyOptions = {},
): ResolvedSecretKey {
  const configured = config.api.secret_key;
  if (configured !== "") {
    if (configured.length < MIN_SECRET_KEY_LENGTH) {
      throw new StateStoreError(
        "CONFIG_ERROR",
        `api.secret_key is ${configured.length} characters long; use at least ${MIN_SECRET_KEY_LENGTH} random characters (for example \`openssl rand -base64 32\`), or leave it empty to generate one into ${SECRET_KEY_FILE}`,
        { details: { option: "api.secret_key" } },
      );
    }
    return Object.freeze({ key: new TextEncoder().encode(configured), source: "config" as const });
  }
  const path = resolve(options.cwd ?? process.cwd(), SECRET_KEY_FILE);
  const generated = randomBytes(32).toString("base64url");
  let source: "file" | "generated" = "generated";
  try {
    mkdirSync(resolve(path, ".."), { recursive: true, mode: 0o700 });
    writeFileSync(path, `${generated}\n`, { flag: "wx", mode: 0o600 });
    chmodSync(path, 0o600);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== "EEXIST") {
      throw new StateStoreError(
        "CONFIG_ERROR",
        `cannot create the token signing key ${path} (${(cause as Error).message}); make the directory writable or set api.secret_key`,
        { cause, details: { option: "api.secret_key" } },
      );
    }
    source = "file";
  }
  let text: string;
  try {
    text = source === "generated" ? generated : readFileSync(path, "utf8").trim();
  } catch (cause) {
    throw new StateStoreError(
      "CONFIG_ERROR",
      `cannot read the token signing key ${path} (${(cause as Error).message}); fix its permissions or set api.secret_key`,
      { cause, details: { option: "api.secret_key" } },
    );
  }
  if (text.length < MIN_SECRET_KEY_LENGTH) {
    throw new StateStoreError(
      "CONFIG_ERROR",
      `the token signing key ${path} holds ${text.length} characters, fewer than ${MIN_SECRET_KEY_LENGTH}; delete the file to have a new key generated, or set api.secret_key`,
      { details: { option: "api.secret_key" } },
    );
  }
  return Object.freeze({ key: new TextEncoder().encode(text), source, path });
}

/**
 * Tells whether a key file is readable by others than its owner (mode bits beyond 0600).
 *
 * @param path - the key file.
 * @returns true when group or others have any permission.
 */
export function isSecretKeyFileExposed(path: string): boolean {
  try {
    return (statSync(path).mode & 0o077) !== 0;
  } catch {
    return false;
  }
}
