import swagger from "@fastify/swagger";
import type { FastifyInstance } from "fastify";
import { API_ERROR_SCHEMA, installApiErrorHandlers } from "../api-error.js";
import { installExecutionAuth } from "../execution-auth.js";
import { assetStateRoutes } from "./asset-state-routes.js";
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
}

/**
 * The Execution API as one Fastify plugin; register it with `{prefix: "/execution"}`. It owns an
 * encapsulated context with its own OpenAPI document (`GET /execution/openapi.json`, no token needed),
 * error handlers and bearer-token hook, so other APIs (the Core REST API under `/api/v2`) can sit beside
 * it with theirs. Routes: one file per group (task instances, task state, asset state).
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
          "What workers call: task instance state, task state and asset state (AIP-103 wire format). Every route needs Authorization: Bearer <task or watcher token>.",
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
  installApiErrorHandlers(app, { bodyLimit: options.bodyLimit });
  const openapiUrl = `${app.prefix}/openapi.json`;
  installExecutionAuth(app, { key: options.signingKey, publicUrls: [openapiUrl] });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  await app.register(taskInstanceRoutes, { service: options.service });
  await app.register(taskStateRoutes, { service: options.service });
  await app.register(assetStateRoutes, { service: options.service });
}
