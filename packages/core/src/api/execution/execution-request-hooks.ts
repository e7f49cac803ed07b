import { StateStoreError } from "@tidemark/state";
import type { FastifyInstance, FastifyRequest } from "fastify";
import {
  API_VERSION_HEADER,
  EXECUTION_API_VERSIONS,
  type ResolvedApiVersion,
  resolveApiVersion,
  STATE_STORE_SINCE_VERSION,
} from "./execution-api-version.js";
import { EXTENSIONS_HEADER } from "./execution-extensions.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The Execution API version of the request (set by {@link installExecutionRequestHooks}). */
    executionApiVersion: ResolvedApiVersion | null;
  }
}

/**
 * Installs the hook that every Execution API request passes first, before authentication (as Airflow's
 * version middleware runs before its routes): it advertises Tidemark's extensions in
 * `Tidemark-Extensions`, resolves `Airflow-API-Version` and echoes it, and refuses routes the requested
 * version does not have (the state store routes exist from 2026-06-30; a date before the oldest version
 * has none).
 *
 * @param app - the Execution API plugin's instance.
 * @param options - the extension tokens; the routes (`routeOptions.url`) that every version has.
 */
export function installExecutionRequestHooks(
  app: FastifyInstance,
  options: { extensions: readonly string[]; unversionedUrls: readonly string[] },
): void {
  const extensions = options.extensions.join(", ");
  app.decorateRequest("executionApiVersion", null);
  app.addHook("onRequest", async (request: FastifyRequest, reply) => {
    reply.header(EXTENSIONS_HEADER, extensions);
    const header = request.headers[API_VERSION_HEADER];
    const version = resolveApiVersion(Array.isArray(header) ? header[0] : header);
    reply.header(API_VERSION_HEADER, version.requested);
    request.executionApiVersion = version;
    const url = request.routeOptions.url ?? "";
    if (request.is404 || options.unversionedUrls.includes(url)) return;
    const since = url.includes("/store/") ? STATE_STORE_SINCE_VERSION : EXECUTION_API_VERSIONS[0];
    if (version.served === null || version.served < since) {
      throw new StateStoreError(
        "ROUTE_NOT_FOUND",
        `no route ${request.method} ${request.url.split("?")[0]} in Execution API version ${version.requested}; it exists from version ${since} (send Airflow-API-Version: ${since} or later, or omit it for the newest)`,
      );
    }
  });
}
