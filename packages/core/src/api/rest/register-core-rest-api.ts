import type { TidemarkConfig } from "@tidemark/config";
import type { BaseStoreBackend, StateStoreInstrumentation } from "@tidemark/state";
import type { FastifyInstance } from "fastify";
import type { TidemarkDatabase } from "../../database/tidemark-database.js";
import { ReferenceSeal } from "../../state-admin/reference-seal.js";
import { StateAdmin } from "../../state-admin/state-admin.js";
import { ReadinessProbe } from "../health/readiness-probe.js";
import type { TokenVerificationObserver } from "../token-verification.js";
import { REST_API_PREFIX, restApiPlugin } from "./rest-api-plugin.js";
import { type ResolvedUiDir, resolveUiDir, uiHostingPlugin, uiMissingPlugin } from "./ui-hosting.js";

/** Options of {@link registerCoreRestApi}. */
export interface CoreRestApiOptions {
  /**
   * The configuration (`loadConfig()`): `api.auth`, `api.auth_tokens`, `api.ui_dir` and the `state_store`
   * limits.
   */
  readonly config: TidemarkConfig;
  /** The metastore (dag runs, task instances, assets). */
  readonly database: TidemarkDatabase;
  /** The configured server backend. */
  readonly backend: BaseStoreBackend;
  /** Working directory for a relative UI directory. */
  readonly cwd: string;
  /** The server's body limit in bytes, for 413 messages. */
  readonly bodyLimit: number;
  /** The deployment's secret key (`api.secret_key` or `.tidemark/secret_key`): seals exported references. */
  readonly secretKey: Uint8Array;
  /** The UI directory (`--ui-dir`); overrides `api.ui_dir`. "" = the UI bundled with @tidemark/core. */
  readonly uiDir?: string | undefined;
  /** Metrics and traces around every state store operation of the admin (`composeInstrumentation`). */
  readonly instrumentation?: StateStoreInstrumentation | undefined;
  /** Told the result of every Core REST API token check (the token metrics). */
  readonly onTokenVerification?: TokenVerificationObserver | undefined;
  /**
   * Answers `/monitor/health` and `/monitor/readiness`. Default: a {@link ReadinessProbe} on `database` and
   * `backend`.
   */
  readonly readiness?: ReadinessProbe | undefined;
}

/** What {@link registerCoreRestApi} set up. */
export interface CoreRestApi {
  /** The rules the routes apply (also usable in process). */
  readonly admin: StateAdmin;
  /** Where the UI is served from, if anywhere. */
  readonly ui: ResolvedUiDir;
}

/**
 * Adds the Core REST API (`/api/v2`, with `/api/v2/openapi.json`, `/api/v2/config/ui` and the health and
 * readiness routes under `/api/v2/monitor/`) and the UI
 * (`/ui/`, with `/` redirecting to it, when a UI build is found) to an api-server's Fastify instance.
 * Everything goes through one {@link StateAdmin} on the server's configured backend and metastore.
 *
 * @param app - the root Fastify instance.
 * @param options - configuration, metastore, backend, working directory, body limit, UI directory.
 * @returns the admin and the UI location.
 * @throws StateStoreError `CONFIG_ERROR` when a given UI directory has no index.html.
 */
export async function registerCoreRestApi(
  app: FastifyInstance,
  options: CoreRestApiOptions,
): Promise<CoreRestApi> {
  const { config } = options;
  const admin = new StateAdmin({
    database: options.database,
    backend: options.backend,
    settings: {
      maxValueStorageBytes: config.state_store.max_value_storage_bytes,
      defaultRetentionDays: config.state_store.default_retention_days,
    },
    referenceSeal: new ReferenceSeal(options.secretKey),
    ...(options.instrumentation === undefined ? {} : { instrumentation: options.instrumentation }),
  });
  await app.register(restApiPlugin, {
    prefix: REST_API_PREFIX,
    admin,
    auth: {
      mode: config.api.auth,
      tokens: config.api.auth_tokens,
      onVerification: options.onTokenVerification,
    },
    uiConfig: {
      auth: config.api.auth,
      auth_tokens_configured: config.api.auth === "token" && config.api.auth_tokens.some((t) => t !== ""),
      default_retention_days: config.state_store.default_retention_days,
      max_value_storage_bytes: config.state_store.max_value_storage_bytes,
    },
    bodyLimit: options.bodyLimit,
    readiness:
      options.readiness ?? new ReadinessProbe({ database: options.database, backend: options.backend }),
  });
  if (config.api.auth === "token" && config.api.auth_tokens.filter((t) => t !== "").length === 0) {
    app.log.warn(
      'api.auth = "token" but api.auth_tokens is empty: every Core REST API request (/api/v2) will be refused with 401; configure api.auth_tokens',
    );
  }
  const ui = resolveUiDir({ uiDir: options.uiDir ?? config.api.ui_dir ?? "", cwd: options.cwd });
  if (ui.dir !== null) await app.register(uiHostingPlugin, { dir: ui.dir });
  else await app.register(uiMissingPlugin, { reason: ui.reason ?? "no UI was found" });
  return { admin, ui };
}
