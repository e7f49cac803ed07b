import { StateStoreError } from "@tidemark/state";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";

/** The audience claim of Execution API tokens. */
export const EXECUTION_TOKEN_AUDIENCE = "tidemark-execution-api";

/** Default lifetime of a token, in seconds (1 hour). */
export const DEFAULT_TOKEN_TTL_SECONDS = 3600;

/** An asset a watcher token may touch: by name, by uri, or both. */
export interface WatcherAssetGrant {
  /** The asset's name; the grant matches an asset with this name. */
  readonly name?: string;
  /** The asset's URI; the grant matches an asset with this URI. */
  readonly uri?: string;
}

/**
 * Who presents a valid token. A task token (`kind: "task"`) belongs to one task instance (`sub`); a
 * watcher token (`kind: "watcher"`) belongs to no task instance and grants asset state of the listed
 * assets only (the reference lets watchers use a magic all-zero task instance id; Tidemark makes the
 * kind explicit).
 */
export type ExecutionPrincipal =
  | {
      /** A task token. */
      readonly kind: "task";
      /** The task instance it belongs to (the token's `sub`), a UUID. */
      readonly taskInstanceId: string;
    }
  | {
      /** A watcher token. */
      readonly kind: "watcher";
      /** The watcher's name (the token's `sub`), for logs. */
      readonly watcherId: string;
      /** The assets whose state it may touch. */
      readonly assets: readonly WatcherAssetGrant[];
    };

function ttlOf(ttlSeconds: number | undefined): number {
  const ttl = ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
  if (!Number.isSafeInteger(ttl) || ttl < 1) {
    throw new StateStoreError(
      "INVALID_VALUE",
      `a token lifetime must be a whole number of seconds >= 1, got ${ttl}`,
    );
  }
  return ttl;
}

/** Options of {@link issueTaskToken}. */
export interface IssueTaskTokenOptions {
  /** The HS256 key (from `resolveSecretKey`). */
  readonly key: Uint8Array;
  /** The task instance id, the token's `sub`. */
  readonly taskInstanceId: string;
  /** Lifetime in seconds. Default 3600. */
  readonly ttlSeconds?: number;
  /** The current time, for tests. Default now. */
  readonly now?: Date;
}

/**
 * Signs a task token: HS256 JWT with `sub` = task instance id, `kind: "task"`, `aud`, `iat`, `exp`.
 *
 * @returns the compact JWT.
 * @throws StateStoreError `INVALID_VALUE` for an empty id or a bad lifetime.
 */
export async function issueTaskToken(options: IssueTaskTokenOptions): Promise<string> {
  if (typeof options.taskInstanceId !== "string" || options.taskInstanceId === "") {
    throw new StateStoreError("INVALID_VALUE", "a task token needs a task instance id");
  }
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  return new SignJWT({ kind: "task" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(options.taskInstanceId)
    .setAudience(EXECUTION_TOKEN_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlOf(options.ttlSeconds))
    .sign(options.key);
}

/** Options of {@link issueWatcherToken}. */
export interface IssueWatcherTokenOptions {
  /** The HS256 key (from `resolveSecretKey`). */
  readonly key: Uint8Array;
  /** A name for the watcher, the token's `sub` (for logs), for example `orders-sensor`. */
  readonly watcherId: string;
  /** The assets it may touch (at least one), each by name and/or uri. */
  readonly assets: readonly WatcherAssetGrant[];
  /** Lifetime in seconds. Default 3600. */
  readonly ttlSeconds?: number;
  /** The current time, for tests. Default now. */
  readonly now?: Date;
}

/**
 * Signs a watcher token: HS256 JWT with `kind: "watcher"`, `sub` = watcher id and `assets` = the grants.
 * It reaches the asset routes of the listed assets only; task instance routes answer 403.
 *
 * @returns the compact JWT.
 * @throws StateStoreError `INVALID_VALUE` for no assets, a grant without name and uri, or a bad lifetime.
 */
export async function issueWatcherToken(options: IssueWatcherTokenOptions): Promise<string> {
  if (typeof options.watcherId !== "string" || options.watcherId === "") {
    throw new StateStoreError("INVALID_VALUE", "a watcher token needs a watcher id");
  }
  const assets = (options.assets ?? []).map((a) => {
    const grant: { name?: string; uri?: string } = {};
    if (typeof a.name === "string" && a.name !== "") grant.name = a.name;
    if (typeof a.uri === "string" && a.uri !== "") grant.uri = a.uri;
    if (grant.name === undefined && grant.uri === undefined) {
      throw new StateStoreError("INVALID_VALUE", "each watcher asset grant needs a name or a uri");
    }
    return grant;
  });
  if (assets.length === 0) {
    throw new StateStoreError("INVALID_VALUE", "a watcher token needs at least one asset it may touch");
  }
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  return new SignJWT({ kind: "watcher", assets })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(options.watcherId)
    .setAudience(EXECUTION_TOKEN_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlOf(options.ttlSeconds))
    .sign(options.key);
}

function unauthorized(message: string, cause?: unknown): StateStoreError {
  return new StateStoreError("UNAUTHORIZED", message, cause === undefined ? {} : { cause });
}

/**
 * Verifies an Execution API token (signature, algorithm HS256, audience, expiry) and reads its principal.
 *
 * @param token - the compact JWT from `Authorization: Bearer …`.
 * @param key - the HS256 key.
 * @param options - `now` for tests.
 * @returns the principal.
 * @throws StateStoreError `UNAUTHORIZED` for a malformed, tampered, expired or wrongly shaped token (the
 *   message says which, never echoing the token).
 */
export async function verifyExecutionToken(
  token: string,
  key: Uint8Array,
  options: { now?: Date } = {},
): Promise<ExecutionPrincipal> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: ["HS256"],
      audience: EXECUTION_TOKEN_AUDIENCE,
      requiredClaims: ["sub", "exp"],
      ...(options.now ? { currentDate: options.now } : {}),
    }));
  } catch (cause) {
    if (cause instanceof joseErrors.JWTExpired) {
      throw unauthorized("the bearer token has expired; ask for a new task instance token", cause);
    }
    if (cause instanceof joseErrors.JWSSignatureVerificationFailed) {
      throw unauthorized(
        "the bearer token's signature is invalid (tampered, or signed with another key)",
        cause,
      );
    }
    if (cause instanceof joseErrors.JWTClaimValidationFailed) {
      throw unauthorized(`the bearer token's claims are invalid: ${cause.message}`, cause);
    }
    throw unauthorized("the bearer token is malformed: expected a JWT signed with HS256", cause);
  }
  const sub = payload.sub;
  if (typeof sub !== "string" || sub === "") throw unauthorized("the bearer token has no subject");
  if (payload.kind === "task") return Object.freeze({ kind: "task", taskInstanceId: sub });
  if (payload.kind === "watcher") {
    const assets = Array.isArray(payload.assets)
      ? payload.assets.filter(
          (a): a is WatcherAssetGrant =>
            typeof a === "object" &&
            a !== null &&
            (typeof (a as WatcherAssetGrant).name === "string" ||
              typeof (a as WatcherAssetGrant).uri === "string"),
        )
      : [];
    return Object.freeze({ kind: "watcher", watcherId: sub, assets: Object.freeze(assets) });
  }
  throw unauthorized(
    `the bearer token's kind ${JSON.stringify(payload.kind)} is neither "task" nor "watcher"`,
  );
}
