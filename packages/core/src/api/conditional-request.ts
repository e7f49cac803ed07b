import type { WriteCondition } from "@tidemark/state";
import type { FastifyReply, FastifyRequest } from "fastify";
import { HttpStatusError } from "./http-status-error.js";

/**
 * The precondition of a write or delete, from RFC 9110 conditional request headers:
 * `If-Match: "3"` / `"3", "4"` (the live value is at one of these versions), `If-Match: *` (a live value
 * exists), `If-None-Match: *` (no live value exists).
 */
export type Precondition =
  | {
      /** No conditional header: the write is unconditional. */
      readonly kind: "none";
    }
  | {
      /** `If-Match`. */
      readonly kind: "match";
      /** The versions the live value may be at, or `*` for any live value. */
      readonly versions: readonly number[] | "*";
    }
  | {
      /** `If-None-Match: *`. */
      readonly kind: "absent";
    };

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

/**
 * The state store condition that enforces a precondition atomically, worded as HTTP headers: a failure is
 * `PRECONDITION_FAILED` (412) with the live version in `details.currentVersion`, which the error answer
 * sends back as its `ETag`.
 *
 * @param precondition - what {@link readPrecondition} read.
 * @returns the condition; empty for none.
 */
export function conditionOf(precondition: Precondition): WriteCondition {
  if (precondition.kind === "none") return {};
  if (precondition.kind === "absent") return { ifAbsent: true, conditionStyle: "http" };
  return { ifMatch: precondition.versions, conditionStyle: "http" };
}
