import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { readPrecondition, setEtag } from "../conditional-request.js";
import { requirePrincipal } from "../execution-auth.js";
import {
  CLEAR_TASK_STATE_SCHEMA,
  DELETE_TASK_STATE_SCHEMA,
  GET_TASK_STATE_SCHEMA,
  PUT_TASK_STATE_SCHEMA,
} from "./execution-schemas.js";
import type { ExecutionStateService } from "./execution-state-service.js";

/** The served API version of a request, for behaviour that changed between versions. */
export function servedVersionOf(request: FastifyRequest): string | null {
  return request.executionApiVersion?.served ?? null;
}

/**
 * Task state routes of the Execution API, answering as Airflow's do. The key is the rest of the path (a
 * wildcard), so keys with "/" work; clients percent-encode it and Fastify decodes it.
 * - `GET /store/ti/{ti_id}/{key}` → 200 `{"value"}` with `ETag: "<version>"`;
 * - `PUT /store/ti/{ti_id}/{key}` with `{"value", "expires_at"?}` → 204 with the new version's `ETag`;
 *   `If-Match` / `If-None-Match: *` make it conditional (412 with the current `ETag` when it fails);
 * - `DELETE /store/ti/{ti_id}/{key}` → 204 (conditional with `If-Match`, as PUT);
 * - `DELETE /store/ti/{ti_id}` → 204, the task instance's own map index only (no query parameters:
 *   Airflow removed `all_map_indices` from the Execution API).
 */
export async function taskStateRoutes(
  app: FastifyInstance,
  options: { service: ExecutionStateService },
): Promise<void> {
  const { service } = options;
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get("/store/ti/:ti_id/*", { schema: GET_TASK_STATE_SCHEMA }, async (request, reply) => {
    const entry = await service.getTaskState(
      requirePrincipal(request),
      request.params.ti_id,
      request.params["*"],
    );
    return setEtag(reply, entry.version).send({ value: entry.value });
  });
  api.put("/store/ti/:ti_id/*", { schema: PUT_TASK_STATE_SCHEMA }, async (request, reply) => {
    const precondition = readPrecondition(request);
    const { value, expires_at } = request.body;
    const written = await service.setTaskState(
      requirePrincipal(request),
      request.params.ti_id,
      request.params["*"],
      { value, expiresAt: expires_at ?? null, precondition, apiVersion: servedVersionOf(request) },
    );
    return setEtag(reply, written.version).code(204).send();
  });
  api.delete("/store/ti/:ti_id/*", { schema: DELETE_TASK_STATE_SCHEMA }, async (request, reply) => {
    const precondition = readPrecondition(request);
    await service.deleteTaskState(
      requirePrincipal(request),
      request.params.ti_id,
      request.params["*"],
      precondition,
    );
    return reply.code(204).send();
  });
  api.delete("/store/ti/:ti_id", { schema: CLEAR_TASK_STATE_SCHEMA }, async (request, reply) => {
    await service.clearTaskState(requirePrincipal(request), request.params.ti_id);
    return reply.code(204).send();
  });
}
