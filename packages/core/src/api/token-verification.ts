/**
 * What checking one request's bearer token found, as the token metrics count it:
 *
 * - `ok`: a valid token, allowed on the route;
 * - `expired`: a task or watcher token past its `exp`;
 * - `tampered`: a token that is not valid (bad signature, malformed, wrong claims, or not one of
 *   `api.auth_tokens`);
 * - `forbidden`: a valid token used on a route it does not cover (another task instance's routes);
 * - `missing`: no `Authorization: Bearer <token>` header.
 */
export type TokenVerificationResult = "ok" | "expired" | "tampered" | "forbidden" | "missing";

/**
 * Told the result of every bearer-token check an API's auth hook makes; it must not throw.
 *
 * @param result - what the check found.
 */
export type TokenVerificationObserver = (result: TokenVerificationResult) => void;

/**
 * Whether an `Authorization` header carries no bearer token at all (absent, blank or not `Bearer <token>`).
 *
 * @param header - the header value.
 * @returns true when there is no token to verify.
 */
export function lacksBearerToken(header: string | undefined): boolean {
  return header === undefined || !/^Bearer\s+\S+\s*$/i.test(header);
}
