import { createHash } from "node:crypto";
import { StateStoreError } from "@tidemark/state";
import type { FastifyInstance } from "fastify";
import type { Registry } from "prom-client";
import { tokenMatches } from "../../api/rest/rest-auth.js";

/** Where the metrics are served. */
export const METRICS_PATH = "/metrics";

/**
 * Serves `GET /metrics`: the registry in Prometheus text exposition format, with the registry's content
 * type. It needs no `Airflow-API-Version` and no API token; with a `token` (`api.metrics_token`) it
 * requires `Authorization: Bearer <token>`, compared in constant time, and answers 401 `UNAUTHORIZED`
 * with `WWW-Authenticate: Bearer` otherwise.
 *
 * @param app - the root Fastify instance.
 * @param options - the registry and the bearer token ("" = none).
 */
export function installMetricsRoute(
  app: FastifyInstance,
  options: { registry: Registry; token: string },
): void {
  const { registry } = options;
  const digests = options.token === "" ? [] : [createHash("sha256").update(options.token, "utf8").digest()];
  app.get(METRICS_PATH, { schema: { hide: true } }, async (request, reply) => {
    if (digests.length > 0) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? "");
      if (match === null || !tokenMatches(match[1] as string, digests)) {
        reply.header("www-authenticate", 'Bearer realm="tidemark-metrics"');
        throw new StateStoreError(
          "UNAUTHORIZED",
          match === null
            ? "GET /metrics requires Authorization: Bearer <token> with the server's api.metrics_token; configure the token in the scraper (Prometheus: authorization.credentials)"
            : "the bearer token is not the server's api.metrics_token; give the scraper the token the server is configured with",
        );
      }
    }
    reply.header("content-type", registry.contentType);
    return registry.metrics();
  });
}
