import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { ReadinessProbe } from "../health/readiness-probe.js";
import { nullable } from "../nullable.js";
import { closedObject } from "./rest-schemas.js";

/** Airflow's health route, relative to the REST plugin's prefix (no token needed). */
export const HEALTH_PATH = "/monitor/health";

/** Tidemark's readiness route, relative to the REST plugin's prefix (no token needed). */
export const READINESS_PATH = "/monitor/readiness";

const TAGS = ["monitor"];
const NULLABLE_STATUS = nullable(Type.String(), {
  description: "healthy or unhealthy; null for a component this deployment does not run",
});
const HEARTBEAT = (component: string) =>
  nullable(Type.String(), {
    description: `The ${component}'s latest heartbeat (ISO 8601); always null: Tidemark runs no ${component}`,
  });

const HEALTH_SCHEMA = {
  tags: TAGS,
  summary:
    "Airflow's HealthInfoResponse (no token needed): metadatabase healthy when the metastore answers one round trip; Tidemark has no scheduler, triggerer or dag processor and reports them as Airflow does when none is running",
  response: {
    200: closedObject(
      {
        metadatabase: closedObject({
          status: nullable(Type.String(), {
            description: "healthy when the metastore answered a round trip, else unhealthy",
          }),
        }),
        scheduler: closedObject({
          status: NULLABLE_STATUS,
          latest_scheduler_heartbeat: HEARTBEAT("scheduler"),
        }),
        triggerer: closedObject({
          status: NULLABLE_STATUS,
          latest_triggerer_heartbeat: HEARTBEAT("triggerer"),
        }),
        dag_processor: closedObject({
          status: NULLABLE_STATUS,
          latest_dag_processor_heartbeat: HEARTBEAT("dag processor"),
        }),
      },
      { description: "Always 200, as in Airflow: read metadatabase.status" },
    ),
  },
};

const COMPONENT_STATUS = Type.Unsafe<"ok" | "failed">({ type: "string", enum: ["ok", "failed"] });
const REASON = Type.Optional(
  Type.String({ description: "What failed and how to fix it; only when the status is failed" }),
);
const readinessBody = (description: string) =>
  closedObject(
    {
      status: Type.Unsafe<"ready" | "not_ready">({
        type: "string",
        enum: ["ready", "not_ready"],
        description: "ready when every component is ok",
      }),
      components: closedObject({
        metastore: closedObject(
          { status: COMPONENT_STATUS, reason: REASON },
          { description: "One round trip to the metastore (database.url)" },
        ),
        backend: closedObject(
          {
            status: COMPONENT_STATUS,
            name: Type.String({ description: "The server backend's name, for example MetastoreBackend" }),
            reason: REASON,
          },
          { description: "The server backend's ping() (state_store.backend)" },
        ),
        migrations: closedObject(
          {
            status: COMPONENT_STATUS,
            pending: Type.Optional(
              Type.Array(Type.String(), { description: "Migrations not yet applied, oldest first" }),
            ),
            reason: REASON,
          },
          { description: "No migration of the metastore is pending" },
        ),
      }),
    },
    { description },
  );

const READINESS_SCHEMA = {
  tags: TAGS,
  summary:
    "Tidemark's readiness (no token needed): 200 when the metastore and the server backend answer and no migration is pending, else 503 naming each failed component with a reason",
  response: {
    200: readinessBody("Ready: every component is ok"),
    503: readinessBody(
      "Not ready: the failed components, each with a reason (a check that takes longer than its timeout, 5 s by default, fails)",
    ),
  },
};

/**
 * `GET /monitor/health` (Airflow's Core REST API health route and `HealthInfoResponse`, always 200) and
 * `GET /monitor/readiness` (Tidemark's: 200 `{"status": "ready", "components": {...}}`, or 503 with
 * `"not_ready"` and a reason for each failed component). Neither needs a token.
 *
 * @param app - the REST plugin's instance.
 * @param options - the readiness probe of the server.
 */
export async function monitorRoutes(app: FastifyInstance, options: { probe: ReadinessProbe }): Promise<void> {
  const { probe } = options;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  typed.get(HEALTH_PATH, { schema: HEALTH_SCHEMA }, async () => {
    const metastore = await probe.checkMetastore();
    return {
      metadatabase: { status: metastore.status === "ok" ? "healthy" : "unhealthy" },
      scheduler: { status: "unhealthy", latest_scheduler_heartbeat: null },
      triggerer: { status: null, latest_triggerer_heartbeat: null },
      dag_processor: { status: null, latest_dag_processor_heartbeat: null },
    };
  });
  typed.get(READINESS_PATH, { schema: READINESS_SCHEMA }, async (_request, reply) => {
    const report = await probe.check();
    reply.header("cache-control", "no-store");
    return reply.code(report.status === "ready" ? 200 : 503).send(report);
  });
}
