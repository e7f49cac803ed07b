import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { readPrecondition, setEtag } from "../conditional-request.js";
import { requirePrincipal } from "../execution-auth.js";
import { assetStateSchemas } from "./execution-schemas.js";
import type { AssetRouteSelector, ExecutionStateService } from "./execution-state-service.js";

/** The asset a by-name or by-uri query addresses (its schema allows exactly one of the two). */
function selectorOf(query: { name: string } | { uri: string }): AssetRouteSelector {
  return "name" in query ? { name: query.name } : { uri: query.uri };
}

/**
 * Asset state routes of the Execution API, once under `/store/asset/by-name` (`name=`) and once under
 * `/store/asset/by-uri` (`uri=`):
 * answering as Airflow's do:
 * - `GET …/value?…&key=…` → 200 `{"value"}` with `ETag: "<version>"`;
 * - `PUT …/value?…&key=…` with `{"value"}` → 204 with the new version's `ETag`, recording the writer;
 *   `If-Match` / `If-None-Match: *` make it conditional (412 with the current `ETag` when it fails);
 * - `DELETE …/value?…&key=…` → 204 (conditional with `If-Match`);
 * - `DELETE …/clear?…` → 204.
 * Unknown or deactivated assets → 404 `ASSET_NOT_FOUND` ("Asset with name='x' not found"); assets the task
 * instance did not declare → 403 (Tidemark extension declared-assets).
 */
export async function assetStateRoutes(
  app: FastifyInstance,
  options: { service: ExecutionStateService },
): Promise<void> {
  const { service } = options;
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  for (const by of ["name", "uri"] as const) {
    const base = `/store/asset/by-${by}`;
    const schemas = assetStateSchemas(by);
    api.get(`${base}/value`, { schema: schemas.get }, async (request, reply) => {
      const entry = await service.getAssetState(
        requirePrincipal(request),
        selectorOf(request.query),
        request.query.key,
      );
      return setEtag(reply, entry.version).send({ value: entry.value });
    });
    api.put(`${base}/value`, { schema: schemas.put }, async (request, reply) => {
      const precondition = readPrecondition(request);
      const written = await service.setAssetState(
        requirePrincipal(request),
        selectorOf(request.query),
        request.query.key,
        { value: request.body.value, precondition },
      );
      return setEtag(reply, written.version).code(204).send();
    });
    api.delete(`${base}/value`, { schema: schemas.delete }, async (request, reply) => {
      const precondition = readPrecondition(request);
      await service.deleteAssetState(
        requirePrincipal(request),
        selectorOf(request.query),
        request.query.key,
        precondition,
      );
      return reply.code(204).send();
    });
    api.delete(`${base}/clear`, { schema: schemas.clear }, async (request, reply) => {
      await service.clearAssetState(requirePrincipal(request), selectorOf(request.query));
      return reply.code(204).send();
    });
  }
}
