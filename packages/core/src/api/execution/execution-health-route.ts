import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";

/** Airflow's Execution API health route, relative to the plugin's prefix (no token, any version). */
export const EXECUTION_HEALTH_PATH = "/health";

const HEALTH_SCHEMA = {
  tags: ["health"],
  summary:
    "Liveness, as Airflow's Execution API answers it (no token and no Airflow-API-Version needed): the process serves HTTP; it checks nothing else",
  response: {
    200: Type.Object(
      { status: Type.Unsafe<"healthy">({ type: "string", enum: ["healthy"] }) },
      { additionalProperties: false },
    ),
  },
};

/**
 * `GET /health` → `{"status": "healthy"}`: Airflow's Execution API liveness route. It touches neither the
 * metastore nor the backend, so it stays cheap under load; readiness is `GET /api/v2/monitor/readiness`.
 *
 * @param app - the Execution API plugin's instance.
 */
export async function executionHealthRoute(app: FastifyInstance): Promise<void> {
  const answer = Object.freeze({ status: "healthy" as const });
  app
    .withTypeProvider<TypeBoxTypeProvider>()
    .get(EXECUTION_HEALTH_PATH, { schema: HEALTH_SCHEMA }, async () => answer);
}
