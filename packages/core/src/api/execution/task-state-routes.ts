import type { FastifyInstance } from "fastify";
import { requirePrincipal } from "../execution-auth.js";
import {
  CLEAR_TASK_STATE_SCHEMA,
  DELETE_TASK_STATE_SCHEMA,
  GET_TASK_STATE_SCHEMA,
  PUT_TASK_STATE_SCHEMA,
} from "./execution-schemas.js";
import type { ExecutionStateService } from "./execution-state-service.js";

interface KeyParams {
  ti_id: string;
  "*": string;
}

interface TaskStateBody {
  value: unknown;
  expires_at?: string | null;
  if_version?: number;
  if_absent?: boolean;
}

/**
 * Task state routes of the Execution API. The key is the rest of the path (a wildcard), so keys with "/"
 * work; clients percent-encode it and Fastify decodes it.
 * - `GET /store/ti/{ti_id}/{key}` → 200 `{"value", "version"}`;
 * - `PUT /store/ti/{ti_id}/{key}` with `{"value", "expires_at"?, "if_version"?, "if_absent"?}` → 204;
 * - `DELETE /store/ti/{ti_id}/{key}` → 204;
 * - `DELETE /store/ti/{ti_id}` → 204, the task instance's own map index only.
 */
export async function taskStateRoutes(
  app: FastifyInstance,
  options: { service: ExecutionStateService },
): Promise<void> {
  const { service } = options;
  app.get<{ Params: KeyParams }>("/store/ti/:ti_id/*", { schema: GET_TASK_STATE_SCHEMA }, async (request) =>
    service.getTaskState(requirePrincipal(request), request.params.ti_id, request.params["*"]),
  );
  app.put<{ Params: KeyParams; Body: TaskStateBody }>(
    "/store/ti/:ti_id/*",
    { schema: PUT_TASK_STATE_SCHEMA },
    async (request, reply) => {
      const { value, expires_at, if_version, if_absent } = request.body;
      await service.setTaskState(requirePrincipal(request), request.params.ti_id, request.params["*"], {
        value,
        ...(expires_at !== undefined ? { expiresAt: expires_at } : {}),
        ...(if_version !== undefined ? { ifVersion: if_version } : {}),
        ...(if_absent !== undefined ? { ifAbsent: if_absent } : {}),
      });
      return reply.code(204).send();
    },
  );
  app.delete<{ Params: KeyParams }>(
    "/store/ti/:ti_id/*",
    { schema: DELETE_TASK_STATE_SCHEMA },
    async (request, reply) => {
      await service.deleteTaskState(requirePrincipal(request), request.params.ti_id, request.params["*"]);
      return reply.code(204).send();
    },
  );
  app.delete<{ Params: { ti_id: string } }>(
    "/store/ti/:ti_id",
    { schema: CLEAR_TASK_STATE_SCHEMA },
    async (request, reply) => {
      await service.clearTaskState(requirePrincipal(request), request.params.ti_id);
      return reply.code(204).send();
    },
  );
}
