import { type ExpiresAtInput, StateStoreError } from "@tidemark/state";
import { parseDurationSeconds } from "../api/parse-duration.js";

/**
 * Parses `tidemark state-store set --retention`: `default` (now + state_store.default_retention_days, the
 * default), `never`, or a duration such as `7d`, `12h`, `30m`, `90s` or `1d12h` counted from now.
 *
 * @param text - the option value, or undefined for the default.
 * @param now - the current instant. Default now.
 * @returns `"default"`, null (never) or the ISO-8601 UTC instant the key expires at.
 * @throws StateStoreError `INVALID_VALUE` naming the accepted forms.
 */
export function parseRetention(text: string | undefined, now = new Date()): Exclude<ExpiresAtInput, Date> {
  if (text === undefined || text.trim() === "default") return "default";
  if (text.trim() === "never") return null;
  let seconds: number;
  try {
    seconds = parseDurationSeconds(text);
  } catch {
    throw new StateStoreError(
      "INVALID_VALUE",
      `--retention ${JSON.stringify(text)} is not valid; use a duration such as 7d, 12h, 30m or 1d12h, "never" (no expiry) or "default" (state_store.default_retention_days)`,
      { details: { option: "--retention" } },
    );
  }
  return new Date(now.getTime() + seconds * 1000).toISOString();
}
