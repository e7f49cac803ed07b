import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyReply } from "fastify";
import { type Static, type TProperties, Type } from "typebox";
import type { StateAdmin } from "../../state-admin/state-admin.js";
import type { TaskTarget } from "../../state-admin/state-store-access.js";
import type { TaskStateEntryJson } from "../../state-admin/wire-types.js";
import { HttpStatusError } from "../api-error.js";
import { conditionOf, readPrecondition, setEtag } from "../conditional-request.js";
import { nullable } from "../nullable.js";
import {
  INCLUDE_QUERY_PROPERTY,
  type IncludeToken,
  parseInclude,
  taskEntryBody,
} from "./entry-projection.js";
import { setNextPageLink } from "./next-page-link.js";
import {
  CURSOR_QUERY_PROPERTY,
  closedObject,
  KEY_PARAM,
  NEXT_PAGE_LINK_HEADER,
  NO_CONTENT,
  PAGE_QUERY_PROPERTIES,
  PREFIX_QUERY_PROPERTY,
  READ_ERRORS,
  RESTORE_REFERENCE_QUERY_PROPERTY,
  SECURITY,
  STATE_VALUE,
  TASK_STATE_ENTRY,
  TASK_STATE_ENTRY_READ,
  VALUE_BODY,
  WRITE_ERRORS,
  WRITTEN,
} from "./rest-schemas.js";
import { PREFER_DESCRIPTION, wantsRepresentation } from "./return-preference.js";

const TAGS = ["task-state"];

const TI_PARAMS = {
  dag_id: Type.String({ minLength: 1, description: "Dag id" }),
  run_id: Type.String({ minLength: 1, description: "Dag run id" }),
  task_id: Type.String({ minLength: 1, description: "Task id" }),
};

const COLLECTION_PARAMS = closedObject(TI_PARAMS);

const ITEM_PARAMS = closedObject({ ...TI_PARAMS, ...KEY_PARAM });

/** The query parameters that address the task instance (with the dag id, run id and task id of the path). */
const TARGET_QUERY = {
  map_index: Type.Optional(
    Type.Integer({
      minimum: -1,
      description: "Map index of the task instance (-1, the default, for a task that is not mapped)",
    }),
  ),
  region_id: Type.Optional(
    Type.String({
      format: "uuid",
      description:
        "Region of the task instance (Airflow 3.4), given together with region_index; default the all-zero UUID (no region)",
    }),
  ),
  region_index: Type.Optional(
    Type.Integer({
      minimum: -1,
      description:
        "Index within the region, a synonym of map_index (Airflow 3.4); given together with region_id",
    }),
  ),
};

/** A query of {@link TARGET_QUERY} and the route's own parameters. */
function query<P extends TProperties>(properties: P) {
  return closedObject({ ...TARGET_QUERY, ...properties });
}

/** The query of a route that takes only {@link TARGET_QUERY}. */
const TARGET_ONLY_QUERY = query({});

const WRITE_QUERY = query({ ...INCLUDE_QUERY_PROPERTY, ...RESTORE_REFERENCE_QUERY_PROPERTY });

/**
 * The task instance a request addresses: the path's ids and the query's {@link TARGET_QUERY}. Airflow 3.4's
 * region_id and region_index come together; region_index is the map index, so a map_index beside it must
 * be equal.
 *
 * @throws HttpStatusError `INVALID_SCOPE` (400) for one of region_id / region_index without the other, or
 *   a map_index that differs from region_index.
 */
function target(params: Static<typeof COLLECTION_PARAMS>, q: Static<typeof TARGET_ONLY_QUERY>): TaskTarget {
  const base = { dagId: params.dag_id, runId: params.run_id, taskId: params.task_id };
  if (q.region_id === undefined && q.region_index === undefined)
    return { ...base, mapIndex: q.map_index ?? -1 };
  if (q.region_id === undefined || q.region_index === undefined) {
    throw new HttpStatusError(
      "INVALID_SCOPE",
      "region_id and region_index must be given together (region_index is the map index within the region); add the missing one or drop both",
      400,
      { details: { fields: ["region_id", "region_index"] } },
    );
  }
  if (q.map_index !== undefined && q.map_index !== q.region_index) {
    throw new HttpStatusError(
      "INVALID_SCOPE",
      `map_index=${q.map_index} differs from region_index=${q.region_index}; region_index is the map index, so give one of them or the same value`,
      400,
      { details: { fields: ["map_index", "region_index"] } },
    );
  }
  return { ...base, mapIndex: q.region_index, regionId: q.region_id };
}

/**
 * Task state routes of the Core REST API, under
 * `/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/state-store` with `?map_index=` (default -1),
 * answering as Airflow's Core API does (reference: core_api routes/public/task_state_store.py):
 * - `GET` → `{"task_state_store": [{key, value, updated_at, expires_at}…], "total_entries"}` (`limit` ≤
 *   1000, `offset`; Tidemark's literal `prefix`, and `cursor` paging: `Link: <…>; rel="next"` when a page
 *   follows);
 * - `DELETE` → 204, clears the map index (`?all_map_indices=true`: every map index);
 * - `GET /{key}` → the entry, `ETag: "<version>"`; `PUT /{key}` `{"value", "expires_at"?}` → 204 with the
 *   new ETag; `PATCH /{key}` `{"value"}` keeps expires_at → 200 `null` with the new ETag, 404 for a
 *   missing key; `DELETE /{key}` → 204 (a missing key is not an error).
 * Tidemark's extras only on request: `?include=version,reference,writer` adds entry fields;
 * `If-Match` / `If-None-Match: *` on PUT, PATCH and DELETE make them conditional (412 with the live ETag
 * when the condition fails); `Prefer: return=representation` answers a write with the entry.
 * An unknown dag run or task instance is 404 on every verb.
 *
 * @param app - the REST plugin's instance.
 * @param options - the {@link StateAdmin}.
 */
export async function taskStateRoutes(app: FastifyInstance, options: { admin: StateAdmin }): Promise<void> {
  const { admin } = options;
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const base = "/dags/:dag_id/dagRuns/:run_id/taskInstances/:task_id/state-store";

  api.get(
    base,
    {
      schema: {
        tags: TAGS,
        summary: "List a task instance's live task state keys in key order",
        security: SECURITY,
        params: COLLECTION_PARAMS,
        querystring: query({
          ...PAGE_QUERY_PROPERTIES,
          ...CURSOR_QUERY_PROPERTY,
          ...PREFIX_QUERY_PROPERTY,
          ...INCLUDE_QUERY_PROPERTY,
        }),
        response: {
          200: closedObject(
            {
              task_state_store: Type.Array(TASK_STATE_ENTRY),
              total_entries: Type.Integer({ description: "Live keys matching the prefix, across all pages" }),
            },
            { headers: NEXT_PAGE_LINK_HEADER },
          ),
          ...READ_ERRORS,
        },
      },
    },
    async (request, reply) => {
      const { limit, offset, prefix, cursor } = request.query;
      const include = parseInclude(request.query.include);
      const { list, nextCursor } = await admin.taskStatePage(target(request.params, request.query), {
        ...(limit === undefined ? {} : { limit }),
        ...(offset === undefined ? {} : { offset }),
        ...(prefix === undefined ? {} : { prefix }),
        ...(cursor === undefined ? {} : { cursor }),
      });
      setNextPageLink(request, reply, nextCursor);
      return {
        task_state_store: list.task_state_store.map((e) => taskEntryBody(e, include)),
        total_entries: list.total_entries,
      };
    },
  );

  api.delete(
    base,
    {
      schema: {
        tags: TAGS,
        summary:
          "Delete every task state key of the map index, or of every map index with all_map_indices=true",
        security: SECURITY,
        params: COLLECTION_PARAMS,
        querystring: query({
          all_map_indices: Type.Optional(
            Type.Boolean({
              default: false,
              description: "Clear every map index of the task in this dag run (map_index is then ignored)",
            }),
          ),
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

  api.get(
    `${base}/*`,
    {
      schema: {
        tags: TAGS,
        summary: "Read a task state key; ETag: its version",
        security: SECURITY,
        params: ITEM_PARAMS,
        querystring: query(INCLUDE_QUERY_PROPERTY),
        response: { 200: TASK_STATE_ENTRY_READ, ...READ_ERRORS },
      },
    },
    async (request, reply) => {
      const include = parseInclude(request.query.include);
      const entry = await admin.getTaskState(target(request.params, request.query), request.params["*"]);
      setEtag(reply, entry.version);
      return taskEntryBody(entry, include);
    },
  );

  /** Airflow's answer to a write (204 / `null`), or the entry when the client prefers it. */
  function answerWrite(
    reply: FastifyReply,
    entry: TaskStateEntryJson,
    include: ReadonlySet<IncludeToken>,
    wanted: boolean,
    airflowStatus: 200 | 204,
  ): FastifyReply {
    setEtag(reply, entry.version);
    if (wanted) return reply.code(200).send(taskEntryBody(entry, include));
    if (airflowStatus === 204) return reply.code(204).send();
    return reply.code(200).type("application/json; charset=utf-8").send("null");
  }

  api.put(
    `${base}/*`,
    {
      schema: {
        tags: TAGS,
        summary: "Write a task state key (value and expiry); If-Match / If-None-Match: * make it conditional",
        description: PREFER_DESCRIPTION,
        security: SECURITY,
        params: ITEM_PARAMS,
        querystring: WRITE_QUERY,
        body: closedObject({
          value: STATE_VALUE,
          expires_at: Type.Optional(
            nullable(Type.String(), {
              description:
                '"default" (or absent): now + state_store.default_retention_days (never when 0); null: never; or an ISO-8601 date-time with an offset in the future, e.g. "2026-06-01T00:00:00Z" (a naive date-time is 422)',
            }),
          ),
        }),
        response: { 200: TASK_STATE_ENTRY, 204: WRITTEN, ...WRITE_ERRORS },
      },
    },
    async (request, reply) => {
      const include = parseInclude(request.query.include);
      const wanted = wantsRepresentation(request, reply);
      const t = target(request.params, request.query);
      const key = request.params["*"];
      const condition = conditionOf(readPrecondition(request));
      const { value, expires_at } = request.body;
      const entry = await admin.putTaskState(t, key, {
        value,
        expiresAt: expires_at,
        ...condition,
        ...(request.query.restore_reference === undefined
          ? {}
          : { restoreReference: request.query.restore_reference }),
      });
      return answerWrite(reply, entry, include, wanted, 204);
    },
  );

  api.patch(
    `${base}/*`,
    {
      schema: {
        tags: TAGS,
        summary: "Replace the value of an existing task state key, keeping its expiry; answers null",
        description: PREFER_DESCRIPTION,
        security: SECURITY,
        params: ITEM_PARAMS,
        querystring: WRITE_QUERY,
        body: VALUE_BODY,
        response: { ...WRITE_ERRORS },
      },
    },
    async (request, reply) => {
      const include = parseInclude(request.query.include);
      const wanted = wantsRepresentation(request, reply);
      const t = target(request.params, request.query);
      const key = request.params["*"];
      const condition = conditionOf(readPrecondition(request));
      const entry = await admin.patchTaskState(t, key, {
        value: request.body.value,
        ...condition,
        ...(request.query.restore_reference === undefined
          ? {}
          : { restoreReference: request.query.restore_reference }),
      });
      return answerWrite(reply, entry, include, wanted, 200);
    },
  );

  api.delete(
    `${base}/*`,
    {
      schema: {
        tags: TAGS,
        summary:
          "Delete a task state key (a missing key of an existing task instance is not an error); If-Match makes it conditional",
        security: SECURITY,
        params: ITEM_PARAMS,
        querystring: TARGET_ONLY_QUERY,
        response: { 204: NO_CONTENT, ...WRITE_ERRORS },
      },
    },
    async (request, reply) => {
      const t = target(request.params, request.query);
      const key = request.params["*"];
      // An unknown task instance is 404 before its headers are read.
      await admin.taskScope(t);
      await admin.deleteTaskState(t, key, conditionOf(readPrecondition(request)));
      return reply.code(204).send();
    },
  );
}
