import type { FastifyInstance } from "fastify";
import type { ExpiresAtInput } from "../../state-admin/expires-at.js";
import type { StateAdmin } from "../../state-admin/state-admin.js";
import type { TaskTarget } from "../../state-admin/state-store-access.js";
import {
  IF_VERSION,
  NO_CONTENT,
  PAGE_QUERY_PROPERTIES,
  PREFIX_QUERY_PROPERTY,
  READ_ERRORS,
  SECURITY,
  STATE_VALUE,
  TASK_STATE_ENTRY,
  WRITE_ERRORS,
} from "./rest-schemas.js";

const TAGS = ["task-state"];

const TI_PARAMS = {
  dag_id: { type: "string", minLength: 1, description: "Dag id" },
  run_id: { type: "string", minLength: 1, description: "Dag run id" },
  task_id: { type: "string", minLength: 1, description: "Task id" },
} as const;

const COLLECTION_PARAMS = {
  type: "object",
  additionalProperties: false,
  required: ["dag_id", "run_id", "task_id"],
  properties: TI_PARAMS,
} as const;

const ITEM_PARAMS = {
  type: "object",
  additionalProperties: false,
  required: ["dag_id", "run_id", "task_id", "*"],
  properties: {
    ...TI_PARAMS,
    "*": { type: "string", description: "The key, percent-encoded (encodeURIComponent); may contain /" },
  },
} as const;

const MAP_INDEX = {
  map_index: {
    type: "integer",
    minimum: -1,
    default: -1,
    description: "Map index of the task instance (-1, the default, for a task that is not mapped)",
  },
} as const;

function query(properties: Record<string, unknown>) {
  return {
    type: "object",
    additionalProperties: false,
    properties: { ...MAP_INDEX, ...properties },
  } as const;
}

interface CollectionParams {
  dag_id: string;
  run_id: string;
  task_id: string;
}

interface ItemParams extends CollectionParams {
  "*": string;
}

interface MapIndexQuery {
  map_index?: number;
}

function target(params: CollectionParams, q: MapIndexQuery): TaskTarget {
  return { dagId: params.dag_id, runId: params.run_id, taskId: params.task_id, mapIndex: q.map_index ?? -1 };
}

/**
 * Task state routes of the Core REST API, under
 * `/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/state-store` with `?map_index=` (default -1):
 * - `GET` → `{"task_state_store": [entry…], "total_entries"}` (`limit` ≤ 1000, `offset`, literal `prefix`, key order);
 * - `DELETE` → 204, clears the map index (`?all_map_indices=true`: every map index);
 * - `GET|PUT|PATCH|DELETE /{key}` (the key is the rest of the path, so it may contain "/"): 200 entry, or
 *   204 for DELETE. PUT takes `{"value", "expires_at": "default" | null | ISO-8601 with offset, "if_version"?}`;
 *   PATCH `{"value", "if_version"?}` keeps expires_at and is 404 for a missing key.
 * An unknown dag run or task instance is 404 on every verb.
 *
 * @param app - the REST plugin's instance.
 * @param options - the {@link StateAdmin}.
 */
export async function taskStateRoutes(app: FastifyInstance, options: { admin: StateAdmin }): Promise<void> {
  const { admin } = options;
  const base = "/dags/:dag_id/dagRuns/:run_id/taskInstances/:task_id/state-store";

  app.get<{
    Params: CollectionParams;
    Querystring: MapIndexQuery & { limit?: number; offset?: number; prefix?: string };
  }>(
    base,
    {
      schema: {
        tags: TAGS,
        summary: "List a task instance's live task state keys in key order",
        security: SECURITY,
        params: COLLECTION_PARAMS,
        querystring: query({ ...PAGE_QUERY_PROPERTIES, ...PREFIX_QUERY_PROPERTY }),
        response: {
          200: {
            type: "object",
            additionalProperties: false,
            required: ["task_state_store", "total_entries"],
            properties: {
              task_state_store: { type: "array", items: TASK_STATE_ENTRY },
              total_entries: {
                type: "integer",
                description: "Live keys matching the prefix, across all pages",
              },
            },
          },
          ...READ_ERRORS,
        },
      },
    },
    async (request) => {
      const { limit, offset, prefix } = request.query;
      return admin.listTaskState(target(request.params, request.query), {
        ...(limit === undefined ? {} : { limit }),
        ...(offset === undefined ? {} : { offset }),
        ...(prefix === undefined ? {} : { prefix }),
      });
    },
  );

  app.delete<{ Params: CollectionParams; Querystring: MapIndexQuery & { all_map_indices?: boolean } }>(
    base,
    {
      schema: {
        tags: TAGS,
        summary:
          "Delete every task state key of the map index, or of every map index with all_map_indices=true",
        security: SECURITY,
        params: COLLECTION_PARAMS,
        querystring: query({
          all_map_indices: {
            type: "boolean",
            default: false,
            description: "Clear every map index of the task in this dag run (map_index is then ignored)",
          },
        }),
        response: { 204: NO_CONTENT, ...READ_ERRORS },
      },
    },
    async (request, reply) => {
      await admin.clearTaskState(target(request.params, request.query), {
        allMapIndices: request.query.all_map_indices === true,
      });
      return reply.code(204).send();
    },
  );

  app.get<{ Params: ItemParams; Querystring: MapIndexQuery }>(
    `${base}/*`,
    {
      schema: {
        tags: TAGS,
        summary: "Read a task state key",
        security: SECURITY,
        params: ITEM_PARAMS,
        querystring: query({}),
        response: { 200: TASK_STATE_ENTRY, ...READ_ERRORS },
      },
    },
    async (request) => admin.getTaskState(target(request.params, request.query), request.params["*"]),
  );

  app.put<{
    Params: ItemParams;
    Querystring: MapIndexQuery;
    Body: { value: unknown; expires_at?: ExpiresAtInput; if_version?: number };
  }>(
    `${base}/*`,
    {
      schema: {
        tags: TAGS,
        summary: "Write a task state key (value and expiry)",
        security: SECURITY,
        params: ITEM_PARAMS,
        querystring: query({}),
        body: {
          type: "object",
          additionalProperties: false,
          required: ["value"],
          properties: {
            value: STATE_VALUE,
            expires_at: {
              type: ["string", "null"],
              description:
                '"default" (or absent): now + state_store.default_retention_days (never when 0); null: never; or an ISO-8601 date-time with an offset in the future, e.g. "2026-06-01T00:00:00Z" (a naive date-time is 422)',
            },
            if_version: IF_VERSION,
          },
        },
        response: { 200: TASK_STATE_ENTRY, ...WRITE_ERRORS },
      },
    },
    async (request) => {
      const { value, expires_at, if_version } = request.body;
      return admin.putTaskState(target(request.params, request.query), request.params["*"], {
        value,
        expiresAt: expires_at,
        ...(if_version === undefined ? {} : { ifVersion: if_version }),
      });
    },
  );

  app.patch<{
    Params: ItemParams;
    Querystring: MapIndexQuery;
    Body: { value: unknown; if_version?: number };
  }>(
    `${base}/*`,
    {
      schema: {
        tags: TAGS,
        summary: "Replace the value of an existing task state key, keeping its expiry",
        security: SECURITY,
        params: ITEM_PARAMS,
        querystring: query({}),
        body: {
          type: "object",
          additionalProperties: false,
          required: ["value"],
          properties: { value: STATE_VALUE, if_version: IF_VERSION },
        },
        response: { 200: TASK_STATE_ENTRY, ...WRITE_ERRORS },
      },
    },
    async (request) => {
      const { value, if_version } = request.body;
      return admin.patchTaskState(target(request.params, request.query), request.params["*"], {
        value,
        ...(if_version === undefined ? {} : { ifVersion: if_version }),
      });
    },
  );

  app.delete<{ Params: ItemParams; Querystring: MapIndexQuery }>(
    `${base}/*`,
    {
      schema: {
        tags: TAGS,
        summary: "Delete a task state key (a missing key of an existing task instance is not an error)",
        security: SECURITY,
        params: ITEM_PARAMS,
        querystring: query({}),
        response: { 204: NO_CONTENT, ...READ_ERRORS },
      },
    },
    async (request, reply) => {
      await admin.deleteTaskState(target(request.params, request.query), request.params["*"]);
      return reply.code(204).send();
    },
  );
}
