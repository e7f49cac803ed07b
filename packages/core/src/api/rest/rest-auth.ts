import { createHash, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import { StateStoreError } from "@tidemark/state";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { TokenVerificationObserver } from "../token-verification.js";

/** How the Core REST API authenticates: `api.auth` and `api.auth_tokens`. */
export interface RestAuthSettings {
  /** `token`: `Authorization: Bearer <one of tokens>`; `none`: anonymous (loopback binds only). */
  readonly mode: "token" | "none";
  /** `api.auth_tokens`. */
  readonly tokens: readonly string[];
  /** Told each token check's result (`ok`, `missing`, `tampered`), for the token metrics. */
  readonly onVerification?: TokenVerificationObserver | undefined;
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/**
 * Tells whether a bind address only accepts connections from this machine: `localhost`, an IPv4 address
 * in 127.0.0.0/8, `::1`, or an IPv4-mapped `::ffff:127.x.x.x` (brackets around IPv6 are accepted).
 *
 * @param host - the address `listen` binds.
 * @returns true for a loopback address.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1");
  if (h === "localhost") return true;
  if (isIP(h) === 4) return h.startsWith("127.");
  if (isIP(h) === 6) return h === "::1" || /^(?:0{0,4}:){2}ffff:127\./.test(h.replace(/^::/, "0:0:"));
  return false;
}

/**
 * Refuses `api.auth = "none"` on an address other machines can reach: anonymous access to every task and
 * asset state is only acceptable on a loopback address.
 *
 * @param auth - `api.auth`.
 * @param host - the address the server is about to bind.
 * @throws StateStoreError `CONFIG_ERROR` saying why and what to do instead.
 */
export function assertAuthAllowedOnHost(auth: "token" | "none", host: string): void {
  if (auth !== "none" || isLoopbackHost(host)) return;
  throw new StateStoreError(
    "CONFIG_ERROR",
    `refusing to bind ${host} with api.auth = "none": anonymous access to all task and asset state is only allowed on a loopback address (127.0.0.1, ::1, localhost). Bind a loopback address (--host 127.0.0.1), or require tokens: set api.auth = "token" and api.auth_tokens (for example TIDEMARK__API__AUTH=token TIDEMARK__API__AUTH_TOKENS=<secret>)`,
    { details: { option: "api.auth", host } },
  );
}

/**
 * Checks a presented bearer token against the configured tokens in constant time: every configured token
 * is compared (SHA-256 digests, `timingSafeEqual`), so neither the match nor the token lengths show in the
 * timing.
 *
 * @param presented - the token from the request.
 * @param digests - SHA-256 digests of `api.auth_tokens`.
 * @returns true when it is one of them.
 */
export function tokenMatches(presented: string, digests: readonly Buffer[]): boolean {
  const given = digest(presented);
  let matched = false;
  for (const d of digests) matched = timingSafeEqual(given, d) || matched;
  return matched;
}

function unauthorized(reply: FastifyReply, message: string): StateStoreError {
  reply.header("www-authenticate", 'Bearer realm="tidemark"');
  return new StateStoreError("UNAUTHORIZED", message);
}

/**
 * Makes every route of `app` (the Core REST API's encapsulated context) require `Authorization: Bearer
 * <token>` with one of `api.auth_tokens`, unless `api.auth` is `none`. Routes whose `routeOptions.url` is in
 * `publicUrls` (the OpenAPI document, /config/ui) and unknown routes (answered 404 `ROUTE_NOT_FOUND`) need
 * no token. A missing, malformed or wrong token is 401 `UNAUTHORIZED` with `WWW-Authenticate: Bearer`.
 *
 * @param app - the plugin's instance.
 * @param options - the settings and the public route URLs.
 */
export function installRestAuth(
  app: FastifyInstance,
  options: { settings: RestAuthSettings; publicUrls: readonly string[] },
): void {
  if (options.settings.mode === "none") return;
  const digests = options.settings.tokens.filter((t) => t !== "").map(digest);
  const observe = options.settings.onVerification;
  app.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.is404 || options.publicUrls.includes(request.routeOptions.url ?? "")) return;
    const header = request.headers.authorization;
    if (header === undefined || header.trim() === "") {
      observe?.("missing");
      throw unauthorized(
        reply,
        "missing Authorization header; send Authorization: Bearer <token> with one of the server's api.auth_tokens",
      );
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match === null) {
      observe?.("missing");
      throw unauthorized(reply, "the Authorization header must be of the form Bearer <token>");
    }
    if (digests.length === 0) {
      observe?.("tampered");
      throw unauthorized(
        reply,
        'this server accepts no tokens: api.auth = "token" but api.auth_tokens is empty; configure api.auth_tokens on the server',
      );
    }
    if (!tokenMatches(match[1] as string, digests)) {
      observe?.("tampered");
      throw unauthorized(reply, "the bearer token is not one of the server's api.auth_tokens");
    }
    observe?.("ok");
  });
}
