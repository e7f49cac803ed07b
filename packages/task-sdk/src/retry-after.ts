/**
 * The delay a `Retry-After` header asks for (RFC 9110): delta-seconds or an HTTP date.
 *
 * @param header - the header value, or null when absent.
 * @param now - the current time in epoch milliseconds (for an HTTP date).
 * @returns milliseconds (0 for a date in the past), or undefined when absent or malformed.
 */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date names its weekday and month; anything else (Date.parse reads "-3" as a year) is malformed.
  if (!/^[A-Za-z]{3}, /.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
