import swagger from "@fastify/swagger";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { API_ERROR_SCHEMA } from "../api-error.js";
import { installExecutionAuth } from "../execution-auth.js";
import type { TokenVerificationObserver } from "../token-verification.js";
import { assetStateRoutes } from "./asset-state-routes.js";
import { installExecutionErrorHandlers } from "./execution-error-handler.js";
import { executionExtensions } from "./execution-extensions.js";
import { EXECUTION_HEALTH_PATH, executionHealthRoute } from "./execution-health-route.js";
import { installExecutionRequestHooks } from "./execution-request-hooks.js";
import { GET_EXTENSIONS_SCHEMA } from "./execution-schemas.js";
import type { ExecutionStateService } from "./execution-state-service.js";
import { taskInstanceRoutes } from "./task-instance-routes.js";
import { taskStateRoutes } from "./task-state-routes.js";

/** Where the Execution API is mounted. */
export const EXECUTION_API_PREFIX = "/execution";

/** Options of {@link executionApiPlugin}. */
export interface ExecutionApiPluginOptions {
  /** The rules: authorization, validation, the backend and the metadata. */
  readonly service: ExecutionStateService;
  /** The HS256 key verifying task and watcher tokens. */
  readonly signingKey: Uint8Array;
  /** The server's body limit in bytes, for 413 messages. */
  readonly bodyLimit: number;
  /** The version shown in the OpenAPI document. */
  readonly version?: string;
  /** Whether the server backend has compare-and-set (advertised as `conditional-requests`). */
  readonly compareAndSet: boolean;
  /** Told the result of every token check (the token metrics). */
  readonly onTokenVerification?: TokenVerificationObserver | undefined;
}

/**
 * The Execution API as one Fastify plugin; register it with `{prefix: "/execution"}`. It owns an
 * encapsulated context with its own OpenAPI document (`GET /execution/openapi.json`, no token needed),
 * error handlers and bearer-token hook, so other APIs (the Core REST API under `/api/v2`) can sit beside
 * it with theirs. Routes: one file per group (task instances, task state, asset state).
 *
 * Every answer carries `Airflow-API-Version` (the request's version, default the newest) and
 * `Tidemark-Extensions`; `GET /execution/tidemark/extensions` lists the same extensions as
 * `{"extensions": [...]}`. Like the OpenAPI document, the discovery route needs no token: it tells a
 * client what the server can do before it holds one, and reveals nothing about any task or asset. So
 * does Airflow's liveness route `GET /execution/health` (`{"status": "healthy"}`, any version).
 */
export async function executionApiPlugin(
  app: FastifyInstance,
  options: ExecutionApiPluginOptions,
): Promise<void> {
  app.addSchema(API_ERROR_SCHEMA);
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Tidemark Execution API",
        description:
          "What workers call: task state and asset state in Airflow's Execution API wire format (AIP-103), plus Tidemark's extensions advertised in the Tidemark-Extensions header and GET /tidemark/extensions: ETags with If-Match / If-None-Match (conditional-requests), expires_at \"default\" (default-expiry), declared-asset checks (declared-assets) and the task instance routes (task-instance-info). Every route except /openapi.json and /tidemark/extensions needs Authorization: Bearer <task or watcher token>. Send Airflow-API-Version (YYYY-MM-DD) to pick a version; it is echoed on every answer.",
        version: options.version ?? "0.1.0",
      },
      components: {
        securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      },
    },
    // Fastify's wildcard `*` (the key, which may contain "/") is documented as the path parameter `key`.
    transform: ({ schema, url }) => {
      if (!url.endsWith("/*")) return { schema, url };
      const params = (schema as { params?: { properties?: Record<string, unknown>; required?: string[] } })
        .params;
      const properties = { ...(params?.properties ?? {}) };
      properties.key = properties["*"];
      delete properties["*"];
      return {
        schema: {
          ...schema,
          params: {
            ...params,
            properties,
            required: (params?.required ?? []).map((r) => (r === "*" ? "key" : r)),
          },
        } as typeof schema,
        url: `${url.slice(0, -1)}:key`,
      };
    },
  });
  installExecutionErrorHandlers(app, { bodyLimit: options.bodyLimit });
  const openapiUrl = `${app.prefix}/openapi.json`;
  const extensionsUrl = `${app.prefix}/tidemark/extensions`;
  const healthUrl = `${app.prefix}${EXECUTION_HEALTH_PATH}`;
  const extensions = executionExtensions({ compareAndSet: options.compareAndSet });
  installExecutionRequestHooks(app, { extensions, unversionedUrls: [openapiUrl, extensionsUrl, healthUrl] });
  installExecutionAuth(app, {
    key: options.signingKey,
    publicUrls: [openapiUrl, extensionsUrl, healthUrl],
    ...(options.onTokenVerification === undefined ? {} : { onVerification: options.onTokenVerification }),
  });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  app
    .withTypeProvider<TypeBoxTypeProvider>()
    .get("/tidemark/extensions", { schema: GET_EXTENSIONS_SCHEMA }, async () => ({ extensions }));
  await app.register(executionHealthRoute);
  await app.register(taskInstanceRoutes, { service: options.service });
  await app.register(taskStateRoutes, { service: options.service });
  await app.register(assetStateRoutes, { service: options.service });
}
