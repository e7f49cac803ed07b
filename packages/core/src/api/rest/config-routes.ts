import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { UiConfigJson } from "../../state-admin/wire-types.js";
import { closedObject } from "./rest-schemas.js";

/** Where the UI configuration is served, relative to the REST plugin's prefix (no token needed). */
export const UI_CONFIG_PATH = "/config/ui";

/**
 * `GET /config/ui` → `{"auth": "token" | "none", "auth_tokens_configured", "default_retention_days",
 * "max_value_storage_bytes"}`, without a token, so the UI knows whether to ask for one, can tell the user
 * when the server has no token to accept, and can show the default retention.
 *
 * @param app - the REST plugin's instance.
 * @param options - the answer (from `api.auth` and `state_store`).
 */
export async function configRoutes(app: FastifyInstance, options: { uiConfig: UiConfigJson }): Promise<void> {
  const answer = Object.freeze({ ...options.uiConfig });
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    UI_CONFIG_PATH,
    {
      schema: {
        tags: ["config"],
        summary: "What the UI needs before its first authenticated call (no token needed)",
        response: {
          200: closedObject({
            auth: Type.Unsafe<UiConfigJson["auth"]>({
              type: "string",
              enum: ["token", "none"],
              description: "api.auth",
            }),
            auth_tokens_configured: Type.Boolean({
              description:
                'true when api.auth = "token" and api.auth_tokens holds at least one non-empty token; false means no token can be accepted',
            }),
            default_retention_days: Type.Integer({
              description: "state_store.default_retention_days (0 = never)",
            }),
            max_value_storage_bytes: Type.Integer({
              description: "state_store.max_value_storage_bytes (0 = no limit)",
            }),
          }),
        },
      },
    },
    async () => answer,
  );
}
