import type { FastifyInstance } from "fastify";
import type { StateAdmin } from "../../state-admin/state-admin.js";
import type { BrowseRequest } from "../../state-admin/state-store-access.js";
import { PAGE_QUERY_PROPERTIES, READ_ERRORS, SEARCH_QUERY_PROPERTY, SECURITY } from "./rest-schemas.js";

const TAGS = ["browse"];

const BROWSE_QUERY = {
  type: "object",
  additionalProperties: false,
  properties: { ...PAGE_QUERY_PROPERTIES, ...SEARCH_QUERY_PROPERTY },
} as const;

type BrowseQuery = { limit?: number; offset?: number; search?: string };

function browse(q: BrowseQuery): BrowseRequest {
  return {
    ...(q.limit === undefined ? {} : { limit: q.limit }),
    ...(q.offset === undefined ? {} : { offset: q.offset }),
    ...(q.search === undefined ? {} : { search: q.search }),
  };
}

function listOf(member: string, item: Record<string, unknown>) {
  return {
    type: "object",
    additionalProperties: false,
    required: [member, "total_entries"],
    properties: {
      [member]: { type: "array", items: item },
      total_entries: { type: "integer", description: "Items matching the search, across all pages" },
    },
  };
}

const DAG = {
  type: "object",
  additionalProperties: false,
  required: ["dag_id", "dag_run_count"],
  properties: { dag_id: { type: "string" }, dag_run_count: { type: "integer" } },
};

const DAG_RUN = {
  type: "object",
  additionalProperties: false,
  required: ["dag_id", "run_id", "created_at"],
  properties: {
    dag_id: { type: "string" },
    run_id: { type: "string" },
    created_at: { type: "string", format: "date-time" },
  },
};

const TASK_INSTANCE = {
  type: "object",
  additionalProperties: false,
  required: [
    "id",
    "dag_id",
    "run_id",
    "task_id",
    "region_id",
    "map_index",
    "state",
    "try_number",
    "state_key_count",
  ],
  properties: {
    id: { type: "string", description: "Task instance id (UUID)" },
    dag_id: { type: "string" },
    run_id: { type: "string" },
    task_id: { type: "string" },
    region_id: {
      type: "string",
      format: "uuid",
      description: "Region of the task instance (Airflow 3.4); the all-zero UUID when in none",
    },
    map_index: { type: "integer", description: "Map index; in a region, the region index" },
    state: { type: ["string", "null"] },
    try_number: { type: "integer" },
    state_key_count: { type: "integer", description: "Live (unexpired) task state keys" },
  },
};

const ID = { type: "string", minLength: 1 } as const;

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

  app.get<{ Querystring: BrowseQuery }>(
    "/dags",
    {
      schema: {
        tags: TAGS,
        summary: "List dags (the dag ids of dag runs) with their run counts",
        security: SECURITY,
        querystring: BROWSE_QUERY,
        response: { 200: listOf("dags", DAG), ...READ_ERRORS },
      },
    },
    async (request) => admin.listDags(browse(request.query)),
  );

  app.get<{ Params: { dag_id: string }; Querystring: BrowseQuery }>(
    "/dags/:dag_id/dagRuns",
    {
      schema: {
        tags: TAGS,
        summary: "List a dag's runs, newest first",
        security: SECURITY,
        params: {
          type: "object",
          additionalProperties: false,
          required: ["dag_id"],
          properties: { dag_id: ID },
        },
        querystring: BROWSE_QUERY,
        response: { 200: listOf("dag_runs", DAG_RUN), ...READ_ERRORS },
      },
    },
    async (request) => admin.listDagRuns(request.params.dag_id, browse(request.query)),
  );

  app.get<{ Params: { dag_id: string; run_id: string }; Querystring: BrowseQuery }>(
    "/dags/:dag_id/dagRuns/:run_id/taskInstances",
    {
      schema: {
        tags: TAGS,
        summary:
          "List a dag run's task instances by task id, region id and map index, with their regions and task state key counts",
        security: SECURITY,
        params: {
          type: "object",
          additionalProperties: false,
          required: ["dag_id", "run_id"],
          properties: { dag_id: ID, run_id: ID },
        },
        querystring: BROWSE_QUERY,
        response: { 200: listOf("task_instances", TASK_INSTANCE), ...READ_ERRORS },
      },
    },
    async (request) =>
      admin.listTaskInstances(request.params.dag_id, request.params.run_id, browse(request.query)),
  );
}
