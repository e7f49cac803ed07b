import { isStateStoreError, StateStoreError } from "@tidemark/state";
import type { FastifyReply, FastifyRequest } from "fastify";
import { HttpStatusError } from "./api-error.js";

/**
 * The precondition of a write or delete, from RFC 9110 conditional request headers:
 * `If-Match: "3"` / `"3", "4"` (the live value is at one of these versions), `If-Match: *` (a live value
 * exists), `If-None-Match: *` (no live value exists).
 */
export type Precondition =
  | { readonly kind: "none" }
  | { readonly kind: "match"; readonly versions: readonly number[] | "*" }
  | { readonly kind: "absent" };

const ENTITY_TAG = /^(W\/)?"([^"]*)"$/;

function malformed(header: string, text: string, why: string): HttpStatusError {
  return new HttpStatusError(
    "INVALID_VALUE",
    `${header}: ${text} is malformed (${why}); send the ETag of a GET, for example ${header}: "3", a comma-separated list of them, or *`,
    400,
    { details: { header: header.toLowerCase() } },
  );
}

function parseMatchList(header: string, text: string): readonly number[] | "*" {
  const trimmed = text.trim();
  if (trimmed === "*") return "*";
  const versions: number[] = [];
  for (const part of trimmed.split(",")) {
    const tag = ENTITY_TAG.exec(part.trim());
    if (tag === null) throw malformed(header, text, "each entity tag must be a quoted version");
    if (tag[1] !== undefined) throw malformed(header, text, "weak tags (W/) never match a strong ETag");
    const digits = tag[2] ?? "";
    if (!/^[1-9]\d{0,15}$/.test(digits)) throw malformed(header, text, "a version is a positive integer");
    versions.push(Number(digits));
  }
  return versions;
}

/**
 * Reads the precondition of a request.
 *
 * @param request - the request.
 * @returns the precondition (`none` without conditional headers).
 * @throws StateStoreError `INVALID_VALUE` answered with 400 for a malformed `If-Match`, an
 *   `If-None-Match` other than `*`, or both headers together.
 */
export function readPrecondition(request: FastifyRequest): Precondition {
  const ifMatch = request.headers["if-match"];
  const ifNoneMatch = request.headers["if-none-match"];
  if (ifMatch !== undefined && ifNoneMatch !== undefined) {
    throw new HttpStatusError(
      "INVALID_VALUE",
      "If-Match and If-None-Match were both sent; send If-Match to require a version or If-None-Match: * to require that no value exists, not both",
      400,
    );
  }
  if (ifNoneMatch !== undefined) {
    if (String(ifNoneMatch).trim() !== "*") {
      throw new HttpStatusError(
        "INVALID_VALUE",
        `If-None-Match: ${ifNoneMatch} is not supported on writes; send If-None-Match: * to write only when no value exists`,
        400,
        { details: { header: "if-none-match" } },
      );
    }
    return { kind: "absent" };
  }
  if (ifMatch === undefined) return { kind: "none" };
  return { kind: "match", versions: parseMatchList("If-Match", String(ifMatch)) };
}

/**
 * The strong ETag of a version: the integer, quoted. None for a backend that keeps no versions (0).
 *
 * @param version - the entry's version.
 * @returns for example `"3"`, or undefined.
 */
export function etagOf(version: number | null | undefined): string | undefined {
  return typeof version === "number" && version > 0 ? `"${version}"` : undefined;
}

/**
 * Sets the `ETag` header of a reply when the version has one.
 *
 * @param reply - the reply.
 * @param version - the entry's version.
 * @returns the reply, for chaining.
 */
export function setEtag(reply: FastifyReply, version: number | null | undefined): FastifyReply {
  const etag = etagOf(version);
  return etag === undefined ? reply : reply.header("etag", etag);
}

/** What {@link runConditional} needs from a route: read the live version, then act. */
export interface ConditionalOperation<T> {
  /** The live value's version (0 for a backend without versions), or null when no live value exists. */
  readonly current: () => Promise<number | null>;
  /** The operation, given the backend condition that enforces the precondition atomically. */
  readonly run: (condition: { ifVersion?: number; ifAbsent?: boolean }) => Promise<T>;
}

function failed(precondition: Precondition, current: number | null): StateStoreError {
  const state = current === null ? "no live value exists" : `the live value is at version ${current}`;
  const wanted =
    precondition.kind === "absent"
      ? "If-None-Match: * requires that no live value exists"
      : precondition.kind === "match" && precondition.versions !== "*"
        ? `If-Match requires version ${precondition.versions.join(" or ")}`
        : "If-Match: * requires a live value";
  return new StateStoreError(
    "PRECONDITION_FAILED",
    `precondition failed: ${wanted} but ${state}; GET the key for its current ETag and retry with that If-Match`,
    { details: { current_version: current } },
  );
}

/**
 * Runs a write or delete under a request's precondition. `If-None-Match: *` becomes the backend's
 * `ifAbsent`; `If-Match` is checked against the live version and then enforced with `ifVersion` on that
 * version, so a writer in between still fails the compare-and-set. A failed precondition (including the
 * backend's `CONFLICT`) is `PRECONDITION_FAILED` (412) with the live version as the reply's `ETag`.
 *
 * @param reply - the reply (gets the live ETag on a 412).
 * @param precondition - what {@link readPrecondition} read.
 * @param operation - how to read the live version and how to act.
 * @returns what the operation returned.
 * @throws StateStoreError `PRECONDITION_FAILED`; whatever the operation throws otherwise.
 */
export async function runConditional<T>(
  reply: FastifyReply,
  precondition: Precondition,
  operation: ConditionalOperation<T>,
): Promise<T> {
  if (precondition.kind === "none") return operation.run({});
  const reject = async (): Promise<never> => {
    const current = await operation.current();
    setEtag(reply, current);
    throw failed(precondition, current);
  };
  let condition: { ifVersion?: number; ifAbsent?: boolean };
  if (precondition.kind === "absent") condition = { ifAbsent: true };
  else {
    const current = await operation.current();
    const versions = precondition.versions;
    if (current === null || (versions !== "*" && !versions.includes(current))) return reject();
    condition = current > 0 ? { ifVersion: current } : {};
  }
  try {
    return await operation.run(condition);
  } catch (error) {
    if (isStateStoreError(error, "CONFLICT")) return reject();
    throw error;
  }
}
