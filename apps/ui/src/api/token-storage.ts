/** The sessionStorage item that holds the bearer token for this browser tab. */
export const TOKEN_STORAGE_KEY = "tidemark.api_token";

/**
 * Reads the bearer token kept for this tab.
 *
 * @returns the token, or undefined when none was entered (or storage is unavailable).
 */
export function readStoredToken(): string | undefined {
  try {
    return globalThis.sessionStorage?.getItem(TOKEN_STORAGE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * Keeps a bearer token for this tab (sessionStorage: gone when the tab closes), or forgets it.
 *
 * @param token - the token, or undefined to remove it.
 */
export function storeToken(token: string | undefined): void {
  try {
    if (token === undefined) globalThis.sessionStorage?.removeItem(TOKEN_STORAGE_KEY);
    else globalThis.sessionStorage?.setItem(TOKEN_STORAGE_KEY, token);
  } catch {
    // Storage disabled: the token then lives only as long as the page.
  }
}
