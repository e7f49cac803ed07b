import type { FastifyInstance } from "fastify";
import type { UiConfigJson } from "../../state-admin/wire-types.js";

/** Where the UI configuration is served, relative to the REST plugin's prefix (no token needed). */
export const UI_CONFIG_PATH = "/config/ui";

/**
 * `GET /config/ui` → `{"auth": "token" | "none", "default_retention_days", "max_value_storage_bytes"}`,
 * without a token, so the UI knows whether to ask for one and can show the default retention.
 *
 * @param app - the REST plugin's instance.
 * @param options - the answer (from `api.auth` and `state_store`).
 */
export async function configRoutes(app: FastifyInstance, options: { uiConfig: UiConfigJson }): Promise<void> {
  const answer = Object.freeze({ ...options.uiConfig });
  app.get(
    UI_CONFIG_PATH,
    {
      schema: {
        tags: ["config"],
        summary: "What the UI needs before its first authenticated call (no token needed)",
        response: {
          200: {
            type: "object",
            additionalProperties: false,
            required: ["auth", "default_retention_days", "max_value_storage_bytes"],
            properties: {
              auth: { type: "string", enum: ["token", "none"], description: "api.auth" },
              default_retention_days: {
                type: "integer",
                description: "state_store.default_retention_days (0 = never)",
              },
              max_value_storage_bytes: {
                type: "integer",
                description: "state_store.max_value_storage_bytes (0 = no limit)",
              },
            },
          },
        },
      },
    },
    async () => answer,
  );
}
