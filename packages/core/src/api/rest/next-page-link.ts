import type { FastifyReply, FastifyRequest } from "fastify";

/**
 * Sends the `Link: <…>; rel="next"` header (RFC 8288) of a state listing that has a next page: the
 * request's own path and query, with `cursor` set to the next page's cursor and `offset` dropped (a
 * cursor replaces it). The listing's JSON stays Airflow's shape; the cursor travels only in the header.
 *
 * @param request - the listing request.
 * @param reply - its reply.
 * @param nextCursor - the next page's cursor, or null on the last page (then no header is sent).
 */
export function setNextPageLink(
  request: FastifyRequest,
  reply: FastifyReply,
  nextCursor: string | null,
): void {
  if (nextCursor !== null) {
    // Only the path and query are used; the base just lets URL parse a path-absolute reference.
    const url = new URL(request.url, "http://listing.invalid");
    url.searchParams.delete("offset");
    url.searchParams.set("cursor", nextCursor);
    reply.header("link", `<${url.pathname}${url.search}>; rel="next"`);
  }
}
