import { StateStoreError } from "@tidemark/state";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { errors as joseErrors } from "jose";
import { type ExecutionPrincipal, verifyExecutionToken } from "./execution-tokens.js";
import { bindPrincipalToLog } from "./principal-log-bindings.js";
import {
  lacksBearerToken,
  type TokenVerificationObserver,
  type TokenVerificationResult,
} from "./token-verification.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The verified principal of an Execution API request (set by {@link installExecutionAuth}). */
    executionPrincipal: ExecutionPrincipal | null;
  }
}

/**
 * Reads and verifies the `Authorization: Bearer <JWT>` header.
 *
 * @param header - the header value.
 * @param key - the HS256 key.
 * @returns the principal.
 * @throws StateStoreError `UNAUTHORIZED` when the header is missing, not a bearer token, or the token fails.
 */
export async function principalFromAuthorization(
  header: string | undefined,
  key: Uint8Array,
): Promise<ExecutionPrincipal> {
  if (header === undefined || header.trim() === "") {
    throw new StateStoreError(
      "UNAUTHORIZED",
      "missing Authorization header; send Authorization: Bearer <token> (see `tidemark task-instances token`)",
    );
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (match === null) {
    throw new StateStoreError("UNAUTHORIZED", "the Authorization header must be of the form Bearer <token>");
  }
  return verifyExecutionToken(match[1] as string, key);
}

/** What a failed token check was: no token, an expired one, or an invalid one. */
function failedVerification(header: string | undefined, error: unknown): TokenVerificationResult {
  if (lacksBearerToken(header)) return "missing";
  return (error as { cause?: unknown } | null)?.cause instanceof joseErrors.JWTExpired
    ? "expired"
    : "tampered";
}

/**
 * Makes every route of `app` (an encapsulated plugin context) require a valid Execution API token, except
 * the paths in `publicPaths` (the OpenAPI document). The principal is stored on
 * `request.executionPrincipal`.
 *
 * @param app - the plugin's instance.
 * @param options - the HS256 key, the routes (`routeOptions.url`) that need no token, and an observer told
 *   each check's result (for the token metrics).
 */
export function installExecutionAuth(
  app: FastifyInstance,
  options: { key: Uint8Array; publicUrls: readonly string[]; onVerification?: TokenVerificationObserver },
): void {
  app.decorateRequest("executionPrincipal", null);
  const observe = options.onVerification;
  app.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
    // Unknown routes answer ROUTE_NOT_FOUND whatever the token, so a wrong URL is never mistaken for auth.
    if (request.is404 || options.publicUrls.includes(request.routeOptions.url ?? "")) return;
    let principal: ExecutionPrincipal;
    try {
      principal = await principalFromAuthorization(request.headers.authorization, options.key);
    } catch (error) {
      observe?.(failedVerification(request.headers.authorization, error));
      throw error;
    }
    request.executionPrincipal = principal;
    bindPrincipalToLog(request, reply, principal);
    // Authorize task instance routes before body validation, so a foreign token learns nothing (403 first).
    const tiId = (request.params as { ti_id?: unknown } | undefined)?.ti_id;
    if (typeof tiId === "string") {
      try {
        assertOwnTaskInstance(principal, tiId);
      } catch (error) {
        observe?.("forbidden");
        throw error;
      }
    }
    observe?.("ok");
  });
}

/**
 * The principal of an authenticated request.
 *
 * @throws StateStoreError `UNAUTHORIZED` when the request passed no auth hook (a wiring error).
 */
export function requirePrincipal(request: FastifyRequest): ExecutionPrincipal {
  const principal = request.executionPrincipal;
  if (principal === null) throw new StateStoreError("UNAUTHORIZED", "this route requires a bearer token");
  return principal;
}

/**
 * Checks that a principal may use the routes of task instance `tiId`: only a task token whose `sub` is
 * that id.
 *
 * @throws StateStoreError `FORBIDDEN` for a watcher token or another task instance's token.
 */
export function assertOwnTaskInstance(principal: ExecutionPrincipal, tiId: string): void {
  if (principal.kind !== "task") {
    throw new StateStoreError(
      "FORBIDDEN",
      `a watcher token (${JSON.stringify(principal.watcherId)}) reaches asset state only, not task instance routes`,
    );
  }
  if (principal.taskInstanceId !== tiId) {
    throw new StateStoreError(
      "FORBIDDEN",
      `the token belongs to task instance ${principal.taskInstanceId}, not ${tiId}; a task instance may only use its own routes`,
    );
  }
}
