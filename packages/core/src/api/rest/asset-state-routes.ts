import type { FastifyInstance } from "fastify";
import type { StateAdmin } from "../../state-admin/state-admin.js";
import {
  ASSET_STATE_ENTRY,
  IF_VERSION,
  NO_CONTENT,
  PAGE_QUERY_PROPERTIES,
  PREFIX_QUERY_PROPERTY,
  READ_ERRORS,
  SECURITY,
  STATE_VALUE,
  WRITE_ERRORS,
} from "./rest-schemas.js";

const TAGS = ["asset-state"];

const ASSET_ID = {
  type: "integer",
  minimum: 1,
  description: "Asset id (GET /api/v2/assets/by-name/{name})",
} as const;

const COLLECTION_PARAMS = {
  type: "object",
  additionalProperties: false,
  required: ["asset_id"],
  properties: { asset_id: ASSET_ID },
} as const;

const ITEM_PARAMS = {
  type: "object",
  additionalProperties: false,
  required: ["asset_id", "*"],
  properties: {
    asset_id: ASSET_ID,
    "*": { type: "string", description: "The key, percent-encoded (encodeURIComponent); may contain /" },
  },
} as const;

const VALUE_BODY = {
  type: "object",
  additionalProperties: false,
  required: ["value"],
  properties: { value: STATE_VALUE, if_version: IF_VERSION },
} as const;

interface CollectionParams {
  asset_id: number;
}

interface ItemParams extends CollectionParams {
  "*": string;
}

interface ValueBody {
  value: unknown;
  if_version?: number;
}

function versionOf(body: ValueBody): { ifVersion?: number } {
  return body.if_version === undefined ? {} : { ifVersion: body.if_version };
}

/**
 * Asset state routes of the Core REST API, under `/assets/{asset_id}/state-store`:
 * - `GET` → `{"asset_state_store": [entry…], "total_entries"}` (paging and literal prefix as task state);
 * - `DELETE` → 204, clears the asset's state;
 * - `GET|PUT|PATCH|DELETE /{key}`: entries carry `last_updated_by`; PUT and PATCH take `{"value",
 *   "if_version"?}` and record the writer `{kind: "api"}`; PATCH is 404 for a missing key.
 * An unknown asset is 404 on every verb; writes (PUT, PATCH, DELETE, clear) to a deactivated asset too.
 *
 * @param app - the REST plugin's instance.
 * @param options - the {@link StateAdmin}.
 */
export async function assetStateRoutes(app: FastifyInstance, options: { admin: StateAdmin }): Promise<void> {
  const { admin } = options;
  const base = "/assets/:asset_id/state-store";

  app.get<{ Params: CollectionParams; Querystring: { limit?: number; offset?: number; prefix?: string } }>(
    base,
    {
      schema: {
        tags: TAGS,
        summary: "List an asset's state keys in key order",
        security: SECURITY,
        params: COLLECTION_PARAMS,
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: { ...PAGE_QUERY_PROPERTIES, ...PREFIX_QUERY_PROPERTY },
        },
        response: {
          200: {
            type: "object",
            additionalProperties: false,
            required: ["asset_state_store", "total_entries"],
            properties: {
              asset_state_store: { type: "array", items: ASSET_STATE_ENTRY },
              total_entries: { type: "integer", description: "Keys matching the prefix, across all pages" },
            },
          },
          ...READ_ERRORS,
        },
      },
    },
    async (request) => {
      const { limit, offset, prefix } = request.query;
      return admin.listAssetState(request.params.asset_id, {
        ...(limit === undefined ? {} : { limit }),
        ...(offset === undefined ? {} : { offset }),
        ...(prefix === undefined ? {} : { prefix }),
      });
    },
  );

  app.delete<{ Params: CollectionParams }>(
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

  app.get<{ Params: ItemParams }>(
    `${base}/*`,
    {
      schema: {
        tags: TAGS,
        summary: "Read an asset state key",
        security: SECURITY,
        params: ITEM_PARAMS,
        response: { 200: ASSET_STATE_ENTRY, ...READ_ERRORS },
      },
    },
    async (request) => admin.getAssetState(request.params.asset_id, request.params["*"]),
  );

  app.put<{ Params: ItemParams; Body: ValueBody }>(
    `${base}/*`,
    {
      schema: {
        tags: TAGS,
        summary: 'Write an asset state key; records the writer {"kind": "api"}',
        security: SECURITY,
        params: ITEM_PARAMS,
        body: VALUE_BODY,
        response: { 200: ASSET_STATE_ENTRY, ...WRITE_ERRORS },
      },
    },
    async (request) =>
      admin.putAssetState(request.params.asset_id, request.params["*"], {
        value: request.body.value,
        ...versionOf(request.body),
      }),
  );

  app.patch<{ Params: ItemParams; Body: ValueBody }>(
    `${base}/*`,
    {
      schema: {
        tags: TAGS,
        summary: 'Replace the value of an existing asset state key; records the writer {"kind": "api"}',
        security: SECURITY,
        params: ITEM_PARAMS,
        body: VALUE_BODY,
        response: { 200: ASSET_STATE_ENTRY, ...WRITE_ERRORS },
      },
    },
    async (request) =>
      admin.patchAssetState(request.params.asset_id, request.params["*"], {
        value: request.body.value,
        ...versionOf(request.body),
      }),
  );

  app.delete<{ Params: ItemParams }>(
    `${base}/*`,
    {
      schema: {
        tags: TAGS,
        summary: "Delete an asset state key (a missing key of an existing asset is not an error)",
        security: SECURITY,
        params: ITEM_PARAMS,
        response: { 204: NO_CONTENT, ...READ_ERRORS },
      },
    },
    async (request, reply) => {
      await admin.deleteAssetState(request.params.asset_id, request.params["*"]);
      return reply.code(204).send();
    },
  );
}
