import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyReply } from "fastify";
import { Type } from "typebox";
import type { StateAdmin } from "../../state-admin/state-admin.js";
import type { AssetStateEntryJson } from "../../state-admin/wire-types.js";
import { conditionOf, readPrecondition, setEtag } from "../conditional-request.js";
import {
  assetEntryBody,
  INCLUDE_QUERY_PROPERTY,
  type IncludeToken,
  parseInclude,
} from "./entry-projection.js";
import { setNextPageLink } from "./next-page-link.js";
import {
  ASSET_STATE_ENTRY,
  ASSET_STATE_ENTRY_READ,
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
  VALUE_BODY,
  WRITE_ERRORS,
  WRITTEN,
} from "./rest-schemas.js";
import { PREFER_DESCRIPTION, wantsRepresentation } from "./return-preference.js";

const TAGS = ["asset-state"];

const ASSET_ID = {
  asset_id: Type.Integer({ minimum: 1, description: "Asset id (GET /api/v2/assets/by-name/{name})" }),
};

const COLLECTION_PARAMS = closedObject(ASSET_ID);

const ITEM_PARAMS = closedObject({ ...ASSET_ID, ...KEY_PARAM });

const ENTRY_QUERY = closedObject(INCLUDE_QUERY_PROPERTY);

const WRITE_QUERY = closedObject({ ...INCLUDE_QUERY_PROPERTY, ...RESTORE_REFERENCE_QUERY_PROPERTY });

/**
 * Asset state routes of the Core REST API, under `/assets/{asset_id}/state-store`, answering as Airflow's
 * Core API does (reference: core_api routes/public/asset_state_store.py):
 * - `GET` → `{"asset_state_store": [{key, value, updated_at, last_updated_by}…], "total_entries"}`
 *   (paging; Tidemark's literal prefix, and `cursor` paging: `Link: <…>; rel="next"` when a page follows);
 * - `DELETE` → 204, clears the asset's state;
 * - `GET /{key}` → the entry with `ETag`; `PUT /{key}` `{"value"}` → 204 with the new ETag, recording the
 *   writer `{kind: "api"}`; `DELETE /{key}` → 204. Tidemark adds `PATCH /{key}` (→ 200 `null`, 404 for a
 *   missing key), `?include=`, `If-Match` / `If-None-Match: *` (412 with the live ETag) and
 *   `Prefer: return=representation`, as on task state.
 * An unknown asset is 404 on every verb; writes (PUT, PATCH, DELETE, clear) to a deactivated asset too.
 *
 * @param app - the REST plugin's instance.
 * @param options - the {@link StateAdmin}.
 */
export async function assetStateRoutes(app: FastifyInstance, options: { admin: StateAdmin }): Promise<void> {
  const { admin } = options;
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const base = "/assets/:asset_id/state-store";

  function answerWrite(
    reply: FastifyReply,
    entry: AssetStateEntryJson,
    include: ReadonlySet<IncludeToken>,
    wanted: boolean,
    airflowStatus: 200 | 204,
  ): FastifyReply {
    setEtag(reply, entry.version);
    if (wanted) return reply.code(200).send(assetEntryBody(entry, include));
    if (airflowStatus === 204) return reply.code(204).send();
    return reply.code(200).type("application/json; charset=utf-8").send("null");
  }

  api.get(
    base,
    {
      schema: {
        tags: TAGS,
        summary: "List an asset's state keys in key order",
        security: SECURITY,
        params: COLLECTION_PARAMS,
        querystring: closedObject({
          ...PAGE_QUERY_PROPERTIES,
          ...CURSOR_QUERY_PROPERTY,
          ...PREFIX_QUERY_PROPERTY,
          ...INCLUDE_QUERY_PROPERTY,
        }),
        response: {
          200: closedObject(
            {
              asset_state_store: Type.Array(ASSET_STATE_ENTRY),
              total_entries: Type.Integer({ description: "Keys matching the prefix, across all pages" }),
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
      const { list, nextCursor } = await admin.assetStatePage(request.params.asset_id, {
        ...(limit === undefined ? {} : { limit }),
        ...(offset === undefined ? {} : { offset }),
        ...(prefix === undefined ? {} : { prefix }),
        ...(cursor === undefined ? {} : { cursor }),
      });
      setNextPageLink(request, reply, nextCursor);
      return {
        asset_state_store: list.asset_state_store.map((e) => assetEntryBody(e, include)),
        total_entries: list.total_entries,
      };
    },
  );

  api.delete(
    base,
    {
      schema: {
        tags: TAGS,
        summary: "Delete every state key of the asset",
        security: SECURITY,
        params: COLLECTION_PARAMS,
        response: { 204: NO_CONTENT, ...READ_ERRORS },
      },
    },
    async (request, reply) => {
      await admin.clearAssetState(request.params.asset_id);
      return reply.code(204).send();
    },
  );

  api.get(
    `${base}/*`,
    {
      schema: {
        tags: TAGS,
        summary: "Read an asset state key; ETag: its version",
        security: SECURITY,
        params: ITEM_PARAMS,
        querystring: ENTRY_QUERY,
        response: { 200: ASSET_STATE_ENTRY_READ, ...READ_ERRORS },
      },
    },
    async (request, reply) => {
      const include = parseInclude(request.query.include);
      const entry = await admin.getAssetState(request.params.asset_id, request.params["*"]);
      setEtag(reply, entry.version);
      return assetEntryBody(entry, include);
    },
  );

  for (const method of ["PUT", "PATCH"] as const) {
    api.route({
      method,
      url: `${base}/*`,
      schema: {
        tags: TAGS,
        summary:
          method === "PUT"
            ? 'Write an asset state key; records the writer {"kind": "api"}; If-Match / If-None-Match: * make it conditional'
            : 'Replace the value of an existing asset state key; records the writer {"kind": "api"}; answers null',
        description: PREFER_DESCRIPTION,
        security: SECURITY,
        params: ITEM_PARAMS,
        querystring: WRITE_QUERY,
        body: VALUE_BODY,
        response: method === "PUT" ? { 200: ASSET_STATE_ENTRY, 204: WRITTEN, ...WRITE_ERRORS } : WRITE_ERRORS,
      },
      handler: async (request, reply) => {
        const include = parseInclude(request.query.include);
        const wanted = wantsRepresentation(request, reply);
        const assetId = request.params.asset_id;
        const key = request.params["*"];
        const write = {
          value: request.body.value,
          ...conditionOf(readPrecondition(request)),
          ...(request.query.restore_reference === undefined
            ? {}
            : { restoreReference: request.query.restore_reference }),
        };
        const entry =
          method === "PUT"
            ? await admin.putAssetState(assetId, key, write)
            : await admin.patchAssetState(assetId, key, write);
        return answerWrite(reply, entry, include, wanted, method === "PUT" ? 204 : 200);
      },
    });
  }

  api.delete(
    `${base}/*`,
    {
      schema: {
        tags: TAGS,
        summary:
          "Delete an asset state key (a missing key of an existing asset is not an error); If-Match makes it conditional",
        security: SECURITY,
        params: ITEM_PARAMS,
        response: { 204: NO_CONTENT, ...WRITE_ERRORS },
      },
    },
    async (request, reply) => {
      const assetId = request.params.asset_id;
      const key = request.params["*"];
      // An unknown or deactivated asset is 404 before its headers are read.
      await admin.assetScope(assetId, { forWrite: true });
      await admin.deleteAssetState(assetId, key, conditionOf(readPrecondition(request)));
      return reply.code(204).send();
    },
  );
}
