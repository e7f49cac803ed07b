/**
 * Reads the version of a strong entity tag `"<version>"` (both servers send a state entry's version so).
 *
 * @param etag - the `ETag` header, or null when absent.
 * @returns the version (a positive integer), or undefined when absent or not a quoted positive integer.
 */
export function versionOfEtag(etag: string | null | undefined): number | undefined {
  const match = etag === null || etag === undefined ? null : /^"([1-9]\d{0,15})"$/.exec(etag.trim());
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
