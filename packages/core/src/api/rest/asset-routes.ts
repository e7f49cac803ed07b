import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { StateAdmin } from "../../state-admin/state-admin.js";
import {
  ASSET_SUMMARY,
  closedObject,
  PAGE_QUERY_PROPERTIES,
  READ_ERRORS,
  SEARCH_QUERY_PROPERTY,
  SECURITY,
} from "./rest-schemas.js";

const TAGS = ["assets"];

/**
 * The asset routes of the Core REST API, so a client can find an asset's id:
 * - `GET /assets` → `{"assets": [{id, name, uri, active, created_at, state_key_count}], "total_entries"}`,
 *   active and deactivated, in name order; `limit` ≤ 1000, `offset`, `search` (substring of name or uri);
 * - `GET /assets/by-name/{name}` → one asset, 404 when no asset has the name.
 *
 * @param app - the REST plugin's instance.
 * @param options - the {@link StateAdmin}.
 */
export async function assetRoutes(app: FastifyInstance, options: { admin: StateAdmin }): Promise<void> {
  const { admin } = options;
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    "/assets",
    {
      schema: {
        tags: TAGS,
        summary: "List assets (active and deactivated) in name order, with their state key counts",
        security: SECURITY,
        querystring: closedObject({ ...PAGE_QUERY_PROPERTIES, ...SEARCH_QUERY_PROPERTY }),
        response: {
          200: closedObject({
            assets: Type.Array(ASSET_SUMMARY),
            total_entries: Type.Integer({ description: "Assets matching the search, across all pages" }),
          }),
          ...READ_ERRORS,
        },
      },
    },
    async (request) => {
      const { limit, offset, search } = request.query;
      return admin.listAssets({
        ...(limit === undefined ? {} : { limit }),
        ...(offset === undefined ? {} : { offset }),
        ...(search === undefined ? {} : { search }),
      });
    },
  );

  api.get(
    "/assets/by-name/:name",
    {
      schema: {
        tags: TAGS,
        summary: "Find an asset by name (percent-encoded)",
        security: SECURITY,
        params: closedObject({ name: Type.String({ minLength: 1, description: "Asset name" }) }),
        response: { 200: ASSET_SUMMARY, ...READ_ERRORS },
      },
    },
    async (request) => admin.findAsset({ name: request.params.name }),
  );
}
