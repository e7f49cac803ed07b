import { StateStoreError } from "@tidemark/state";

const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * Parses a duration such as `90s`, `15m`, `1h`, `2d` or `1h30m` (a bare number is seconds), for
 * `tidemark task-instances token --ttl`.
 *
 * @param text - the duration.
 * @returns whole seconds, at least 1.
 * @throws StateStoreError `INVALID_VALUE` naming the accepted forms.
 */
export function parseDurationSeconds(text: string): number {
  const trimmed = text.trim();
  let seconds = 0;
  if (/^\d+$/.test(trimmed)) seconds = Number(trimmed);
  else if (/^(\d+[smhd])+$/.test(trimmed)) {
    for (const [, amount, unit] of trimmed.matchAll(/(\d+)([smhd])/g)) {
      seconds += Number(amount) * (UNITS[unit as string] ?? 0);
    }
  } else seconds = Number.NaN;
  if (!Number.isSafeInteger(seconds) || seconds < 1) {
    throw new StateStoreError(
      "INVALID_VALUE",
      `duration ${JSON.stringify(text)} is not valid; use for example 90s, 15m, 1h, 2d or 1h30m (at least 1 second)`,
    );
  }
  return seconds;
}
