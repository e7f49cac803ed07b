import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { requirePrincipal } from "../execution-auth.js";
import { GET_TASK_INSTANCE_SCHEMA, PATCH_TASK_INSTANCE_STATE_SCHEMA } from "./execution-schemas.js";
import type { ExecutionStateService } from "./execution-state-service.js";

/**
 * Task instance routes of the Execution API:
 * - `GET /task-instances/{ti_id}` → 200 with ids, state, try number, inlets and outlets;
 * - `PATCH /task-instances/{ti_id}/state` with `{"state"}` → 204 (success clears task state with
 *   `state_store.clear_on_success`, in the same transaction on the metastore).
 */
export async function taskInstanceRoutes(
  app: FastifyInstance,
  options: { service: ExecutionStateService },
): Promise<void> {
  const { service } = options;
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get("/task-instances/:ti_id", { schema: GET_TASK_INSTANCE_SCHEMA }, async (request) => {
    const ti = await service.taskInstanceFor(requirePrincipal(request), request.params.ti_id);
    const asset = (a: { name: string; uri: string }) => ({ name: a.name, uri: a.uri });
    return {
      id: ti.id,
      dag_id: ti.dagId,
      run_id: ti.runId,
      task_id: ti.taskId,
      map_index: ti.mapIndex,
      state: ti.state,
      try_number: ti.tryNumber,
      inlets: ti.inlets.map(asset),
      outlets: ti.outlets.map(asset),
    };
  });
  api.patch(
    "/task-instances/:ti_id/state",
    { schema: PATCH_TASK_INSTANCE_STATE_SCHEMA },
    async (request, reply) => {
      await service.reportState(requirePrincipal(request), request.params.ti_id, request.body.state);
      return reply.code(204).send();
    },
  );
}
