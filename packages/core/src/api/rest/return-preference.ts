import type { FastifyReply, FastifyRequest } from "fastify";

/** The `Prefer` header's schema note for the writing routes (RFC 7240). */
export const PREFER_DESCRIPTION =
  "Send Prefer: return=representation to get 200 and the entry (shaped by include) instead of Airflow's answer";

/**
 * Whether the client asked for the written entry in the answer (`Prefer: return=representation`,
 * RFC 7240), Tidemark's opt-in beside Airflow's bodiless 204 / `null` answers. Marks the reply with
 * `Preference-Applied` when it did.
 *
 * @param request - the request.
 * @param reply - the reply.
 * @returns true when the entry should be sent.
 */
export function wantsRepresentation(request: FastifyRequest, reply: FastifyReply): boolean {
  const prefer = request.headers.prefer;
  const text = Array.isArray(prefer) ? prefer.join(",") : (prefer ?? "");
  const wanted = text
    .split(",")
    .some((p) => p.trim().split(";")[0]?.trim().toLowerCase() === "return=representation");
  if (wanted) reply.header("preference-applied", "return=representation");
  return wanted;
}
