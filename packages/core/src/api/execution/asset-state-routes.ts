import type { FastifyInstance } from "fastify";
import { requirePrincipal } from "../execution-auth.js";
import { type AssetAddressing, assetStateSchemas } from "./execution-schemas.js";
import type { AssetSelector, ExecutionStateService } from "./execution-state-service.js";

interface AssetStateBody {
  value: unknown;
  if_version?: number;
  if_absent?: boolean;
}

type AssetQuery = { name?: string; uri?: string; key: string };

function selectorOf(by: AssetAddressing, query: { name?: string; uri?: string }): AssetSelector {
  return by === "name" ? { name: query.name as string } : { uri: query.uri as string };
}

/**
 * Asset state routes of the Execution API, once under `/store/asset/by-name` (`name=`) and once under
 * `/store/asset/by-uri` (`uri=`):
 * - `GET …/value?…&key=…` → 200 `{"value", "version"}`;
 * - `PUT …/value?…&key=…` with `{"value", "if_version"?, "if_absent"?}` → 204, recording the writer;
 * - `DELETE …/value?…&key=…` → 204;
 * - `DELETE …/clear?…` → 204.
 * Unknown or deactivated assets → 404 `ASSET_NOT_FOUND`; assets the task instance did not declare → 403.
 */
export async function assetStateRoutes(
  app: FastifyInstance,
  options: { service: ExecutionStateService },
): Promise<void> {
  const { service } = options;
  for (const by of ["name", "uri"] as const) {
    const base = `/store/asset/by-${by}`;
    const schemas = assetStateSchemas(by);
    app.get<{ Querystring: AssetQuery }>(`${base}/value`, { schema: schemas.get }, async (request) =>
      service.getAssetState(requirePrincipal(request), selectorOf(by, request.query), request.query.key),
    );
    app.put<{ Querystring: AssetQuery; Body: AssetStateBody }>(
      `${base}/value`,
      { schema: schemas.put },
      async (request, reply) => {
        const { value, if_version, if_absent } = request.body;
        await service.setAssetState(
          requirePrincipal(request),
          selectorOf(by, request.query),
          request.query.key,
          {
            value,
            ...(if_version !== undefined ? { ifVersion: if_version } : {}),
            ...(if_absent !== undefined ? { ifAbsent: if_absent } : {}),
          },
        );
        return reply.code(204).send();
      },
    );
    app.delete<{ Querystring: AssetQuery }>(
      `${base}/value`,
      { schema: schemas.delete },
      async (request, reply) => {
        await service.deleteAssetState(
          requirePrincipal(request),
          selectorOf(by, request.query),
          request.query.key,
        );
        return reply.code(204).send();
      },
    );
    app.delete<{ Querystring: Omit<AssetQuery, "key"> }>(
      `${base}/clear`,
      { schema: schemas.clear },
      async (request, reply) => {
        await service.clearAssetState(requirePrincipal(request), selectorOf(by, request.query));
        return reply.code(204).send();
      },
    );
  }
}
