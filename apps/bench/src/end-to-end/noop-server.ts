import Fastify, { type FastifyInstance } from "fastify";

/**
 * The HTTP ceiling: a Fastify server (same version and JSON body parsing as the API server) with the
 * Execution API's task state routes doing no work: PUT answers 204 after Fastify has parsed the body, GET
 * answers a fixed `{"value"}` with `ETag: "1"`, as the Execution API does. No authentication, validation or
 * storage.
 *
 * @param value - the value GET answers with.
 * @returns the server, not yet listening.
 */
export function createNoopServer(value: unknown): FastifyInstance {
  const app = Fastify({ logger: false });
  const answer = { value };
  app.get("/execution/store/ti/:ti_id/*", async (_request, reply) =>
    reply.header("etag", '"1"').send(answer),
  );
  app.put("/execution/store/ti/:ti_id/*", async (_request, reply) =>
    reply.code(204).header("etag", '"1"').send(),
  );
  return app;
}
