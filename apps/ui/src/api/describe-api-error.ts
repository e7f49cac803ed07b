import { isApiError } from "./api-error";

/** What the failed action was about, so the words can name it. */
export interface ErrorContext {
  /** The state key concerned, if any. */
  readonly key?: string;
  /** The scope in words, e.g. `dag “etl” / run “r1” / task “load” / map index 0` or `asset “orders”`. */
  readonly scope?: string;
  /** The version the editor opened, for conflicts. */
  readonly openedVersion?: number;
  /** The version now on the server (looked up after a conflict); null when the key is gone. */
  readonly currentVersion?: number | null;
  /** `max_value_storage_bytes`, for a value that is too large. */
  readonly maxValueBytes?: number;
  /** Size of the value that was sent, UTF-8 bytes of its JSON text, for a value that is too large. */
  readonly valueBytes?: number;
}

/**
 * Puts any failure of an API call into a sentence for an operator: what happened and what to do. Never
 * shows the raw JSON body. Covers 401 (token), 403, 404 (key, task instance, dag run, asset), 412 (a
 * failed If-Match: a stale edit, with "version 3 → 4" when both are known), a value that is too large
 * (413, or 422 with code VALUE_TOO_LARGE, with the size limit), 400 and 422 (the server's reason),
 * network failures and 5xx.
 *
 * @param error - what was caught (an ApiError or anything else).
 * @param context - what the action was about.
 * @returns one or two sentences.
 */
export function describeApiError(error: unknown, context: ErrorContext = {}): string {
  if (!isApiError(error)) {
    const text = error instanceof Error ? error.message : String(error);
    return `Something went wrong: ${text}`;
  }
  const keyText = context.key !== undefined ? `The key “${context.key}”` : "This entry";
  const server = error.serverMessage ? ` (${trimSentence(error.serverMessage)})` : "";
  if (error.status === 413 || error.code === "VALUE_TOO_LARGE") {
    const limit =
      context.maxValueBytes !== undefined
        ? ` The server stores at most ${formatBytes(context.maxValueBytes)} per value (state_store.max_value_storage_bytes)`
        : "";
    const size = context.valueBytes !== undefined ? `; this value is ${formatBytes(context.valueBytes)}` : "";
    return `The value is too large to store (${error.status}).${limit}${size}${limit ? "." : ""} Store large data in object storage and keep only a reference in state.`;
  }
  switch (error.status) {
    case 0:
      return "Could not reach the Tidemark API server. Check that `tidemark api-server` is running, then try again.";
    case 401:
      return "The API server did not accept your token (401). Enter a valid API token to continue.";
    case 403:
      return `Your token is not allowed to do this (403)${server}. Ask an administrator for a token with access.`;
    case 404:
      return describeNotFound(error.code, keyText, context, server);
    case 409:
    case 412: {
      // The looked-up version wins; else the live ETag the 412 carried.
      const current = context.currentVersion !== undefined ? context.currentVersion : error.currentVersion;
      if (current === null) {
        return `${keyText} was deleted since you opened it. Reload to see the current state.`;
      }
      if (context.openedVersion !== undefined && current !== undefined) {
        return `This value changed since you opened it (version ${context.openedVersion} → ${current}). Reload to see the new value.`;
      }
      return "This value changed since you opened it. Reload to see the new value.";
    }
    case 400:
    case 422:
      return `The server refused the input (${error.status})${server}. Correct it and try again.`;
    default:
      if (error.status >= 500) {
        return `The API server failed (${error.status})${server}. Try again; if it keeps failing, check the server log.`;
      }
      return `The request failed (${error.status})${server}.`;
  }
}

function describeNotFound(
  code: string | undefined,
  keyText: string,
  context: ErrorContext,
  server: string,
): string {
  switch (code) {
    case "TASK_INSTANCE_NOT_FOUND":
      return "This task instance does not exist (anymore). Pick another task instance.";
    case "DAG_RUN_NOT_FOUND":
      return "This dag run does not exist (anymore). Pick another run.";
    case "ASSET_NOT_FOUND":
      return "This asset does not exist or is not active; an inactive asset's state cannot be changed. Pick another asset.";
    case "NOT_FOUND":
    case undefined:
      if (context.key !== undefined) {
        return `${keyText} does not exist (anymore): it was deleted or has expired. Reload to see the current state.`;
      }
      return `Not found (404)${server}. Reload, or pick something else.`;
    default:
      return `Not found (404)${server}. Reload, or pick something else.`;
  }
}

function trimSentence(text: string): string {
  return text.trim().replace(/\.$/, "");
}

/**
 * Formats a size in bytes for people, exactly: "512 bytes", "65,535 bytes", "64 KiB", "2 MiB" (KiB and MiB
 * only for exact multiples, so a limit of 65535 is not shown as "64 KiB").
 *
 * @param bytes - a size in bytes.
 * @returns the size in words.
 */
export function formatBytes(bytes: number): string {
  const MiB = 1024 * 1024;
  if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes.toLocaleString("en-US")} bytes`;
}
