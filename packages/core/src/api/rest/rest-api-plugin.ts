import swagger from "@fastify/swagger";
import type { FastifyInstance } from "fastify";
import type { StateAdmin } from "../../state-admin/state-admin.js";
import type { UiConfigJson } from "../../state-admin/wire-types.js";
import { CORE_API_ERROR_SCHEMA, ERROR_CODE_HEADER, installApiErrorHandlers } from "../api-error.js";
import type { ReadinessProbe } from "../health/readiness-probe.js";
import { assetRoutes } from "./asset-routes.js";
import { assetStateRoutes } from "./asset-state-routes.js";
import { configRoutes, UI_CONFIG_PATH } from "./config-routes.js";
import { dagRoutes } from "./dag-routes.js";
import { HEALTH_PATH, monitorRoutes, READINESS_PATH } from "./monitor-routes.js";
import { installQueryCoercion } from "./query-coercion.js";
import { installRestAuth, type RestAuthSettings } from "./rest-auth.js";
import { taskStateRoutes } from "./task-state-routes.js";

/** Where the Core REST API is mounted. */
export const REST_API_PREFIX = "/api/v2";

/** Options of {@link restApiPlugin}. */
export interface RestApiPluginOptions {
  /** The rules: the configured server backend, the metastore, validation, expiry. */
  readonly admin: StateAdmin;
  /** `api.auth` and `api.auth_tokens`. */
  readonly auth: RestAuthSettings;
  /** What `GET /config/ui` answers. */
  readonly uiConfig: UiConfigJson;
  /** The server's body limit in bytes, for 413 messages. */
  readonly bodyLimit: number;
  /** The version shown in the OpenAPI document. */
  readonly version?: string;
  /** Answers `GET /monitor/health` and `GET /monitor/readiness` (no token needed). */
  readonly readiness: ReadinessProbe;
}

/**
 * The Core REST API (AIP-103's public `/api/v2 … /state-store` API plus browsing endpoints) as one Fastify
 * plugin; register it with `{prefix: "/api/v2"}`. Its encapsulated context holds its own OpenAPI document
 * (`GET /api/v2/openapi.json`, built by its own @fastify/swagger instance from this context's route
 * schemas only, so it coexists with the Execution API's `/execution/openapi.json`), Airflow's Core API
 * error body `{"detail": "<message>"}` with Tidemark's code in the `Tidemark-Error-Code` header, the
 * bearer-token hook (`api.auth_tokens`; `/config/ui`,
 * `/monitor/health`, `/monitor/readiness` and the OpenAPI document need none) and URL parameter coercion.
 * Route groups: task state, asset state, dags / dag runs / task instances, assets, config, monitor — one
 * file each.
 */
export async function restApiPlugin(app: FastifyInstance, options: RestApiPluginOptions): Promise<void> {
  app.addSchema(CORE_API_ERROR_SCHEMA);
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Tidemark Core REST API",
        description:
          `Airflow-compatible answers by default; Tidemark's extras on request (?include=, If-Match / If-None-Match, Prefer: return=representation). Errors are {"detail": "<message>"} with the code in the ${ERROR_CODE_HEADER} header. ` +
          'Operators and the UI: list, inspect, edit and clear task state and asset state, and browse dags, dag runs, task instances and assets. Every route except /config/ui, /monitor/health, /monitor/readiness and this document needs Authorization: Bearer <token> (api.auth_tokens) unless the server runs with api.auth = "none".',
        version: options.version ?? "0.1.0",
      },
      components: { securitySchemes: { bearerAuth: { type: "http", scheme: "bearer" } } },
    },
  });
  installApiErrorHandlers(app, {
    bodyLimit: options.bodyLimit,
    style: "core",
    routeHint: `the Core REST API's routes are listed in ${app.prefix}/openapi.json`,
  });
  installQueryCoercion(app);
  installRestAuth(app, {
    settings: options.auth,
    publicUrls: [
      `${app.prefix}/openapi.json`,
      `${app.prefix}${UI_CONFIG_PATH}`,
      `${app.prefix}${HEALTH_PATH}`,
      `${app.prefix}${READINESS_PATH}`,
    ],
  });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  await app.register(configRoutes, { uiConfig: options.uiConfig });
  await app.register(monitorRoutes, { probe: options.readiness });
  await app.register(dagRoutes, { admin: options.admin });
  await app.register(taskStateRoutes, { admin: options.admin });
  await app.register(assetRoutes, { admin: options.admin });
  await app.register(assetStateRoutes, { admin: options.admin });
}
