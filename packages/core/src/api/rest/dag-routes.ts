import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { type Static, Type } from "typebox";
import type { StateAdmin } from "../../state-admin/state-admin.js";
import type { BrowseRequest } from "../../state-admin/state-store-access.js";
import { nullable } from "../nullable.js";
import {
  closedObject,
  PAGE_QUERY_PROPERTIES,
  READ_ERRORS,
  SEARCH_QUERY_PROPERTY,
  SECURITY,
} from "./rest-schemas.js";

const TAGS = ["browse"];

const BROWSE_QUERY = closedObject({ ...PAGE_QUERY_PROPERTIES, ...SEARCH_QUERY_PROPERTY });

function browse(q: Static<typeof BROWSE_QUERY>): BrowseRequest {
  return {
    ...(q.limit === undefined ? {} : { limit: q.limit }),
    ...(q.offset === undefined ? {} : { offset: q.offset }),
    ...(q.search === undefined ? {} : { search: q.search }),
  };
}

const TOTAL_ENTRIES = Type.Integer({ description: "Items matching the search, across all pages" });

const DAG = closedObject({ dag_id: Type.String(), dag_run_count: Type.Integer() });

const DAG_RUN = closedObject({
  dag_id: Type.String(),
  run_id: Type.String(),
  created_at: Type.String({ format: "date-time" }),
});

const TASK_INSTANCE = closedObject({
  id: Type.String({ description: "Task instance id (UUID)" }),
  dag_id: Type.String(),
  run_id: Type.String(),
  task_id: Type.String(),
  region_id: Type.String({
    format: "uuid",
    description: "Region of the task instance (Airflow 3.4); the all-zero UUID when in none",
  }),
  map_index: Type.Integer({ description: "Map index; in a region, the region index" }),
  state: nullable(Type.String()),
  try_number: Type.Integer(),
  state_key_count: Type.Integer({ description: "Live (unexpired) task state keys" }),
});

const ID = Type.String({ minLength: 1 });

/**
 * The browsing routes of the Core REST API (the UI's pickers), each paged (`limit` ≤ 1000, `offset`) and
 * filtered by `search` (case-insensitive substring):
 * - `GET /dags` → `{"dags": [{dag_id, dag_run_count}], "total_entries"}` in dag id order;
 * - `GET /dags/{dag_id}/dagRuns` → `{"dag_runs": [{dag_id, run_id, created_at}], …}` newest first, 404
 *   for a dag without runs;
 * - `GET /dags/{dag_id}/dagRuns/{run_id}/taskInstances` → `{"task_instances": [{id, dag_id, run_id,
 *   task_id, region_id, map_index, state, try_number, state_key_count}], …}` by task id, region id and
 *   map index, 404 for an unknown dag run.
 *
 * @param app - the REST plugin's instance.
 * @param options - the {@link StateAdmin}.
 */
export async function dagRoutes(app: FastifyInstance, options: { admin: StateAdmin }): Promise<void> {
  const { admin } = options;
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    "/dags",
    {
      schema: {
        tags: TAGS,
        summary: "List dags (the dag ids of dag runs) with their run counts",
        security: SECURITY,
        querystring: BROWSE_QUERY,
        response: {
          200: closedObject({ dags: Type.Array(DAG), total_entries: TOTAL_ENTRIES }),
          ...READ_ERRORS,
        },
      },
    },
    async (request) => admin.listDags(browse(request.query)),
  );

  api.get(
    "/dags/:dag_id/dagRuns",
    {
      schema: {
        tags: TAGS,
        summary: "List a dag's runs, newest first",
        security: SECURITY,
        params: closedObject({ dag_id: ID }),
        querystring: BROWSE_QUERY,
        response: {
          200: closedObject({ dag_runs: Type.Array(DAG_RUN), total_entries: TOTAL_ENTRIES }),
          ...READ_ERRORS,
        },
      },
    },
    async (request) => admin.listDagRuns(request.params.dag_id, browse(request.query)),
  );

  api.get(
    "/dags/:dag_id/dagRuns/:run_id/taskInstances",
    {
      schema: {
        tags: TAGS,
        summary:
          "List a dag run's task instances by task id, region id and map index, with their regions and task state key counts",
        security: SECURITY,
        params: closedObject({ dag_id: ID, run_id: ID }),
        querystring: BROWSE_QUERY,
        response: {
          200: closedObject({ task_instances: Type.Array(TASK_INSTANCE), total_entries: TOTAL_ENTRIES }),
          ...READ_ERRORS,
        },
      },
    },
    async (request) =>
      admin.listTaskInstances(request.params.dag_id, request.params.run_id, browse(request.query)),
  );
}
