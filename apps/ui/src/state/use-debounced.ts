import { useEffect, useState } from "react";

/**
 * A value that follows `value` once it has stopped changing for `delayMs` milliseconds (typing in a
 * search box sends one request, not one per key press).
 *
 * @param value - the live value.
 * @param delayMs - quiet time in milliseconds (250 by default).
 * @returns the settled value.
 */
export function useDebounced<T>(value: T, delayMs = 250): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}
