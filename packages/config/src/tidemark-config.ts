import type { ConfigSections } from "@tidemark/state";

/**
 * The validated configuration. Section and option names are the file's, snake_case, as in
 * `tidemark.toml` and the `TIDEMARK__SECTION__KEY` environment variables. Sections Tidemark does not
 * know (a provider's, such as `common_io`) are present as given, unvalidated, when configured.
 */
export interface TidemarkConfig extends ConfigSections {
  readonly database: { readonly url: string };
  readonly state_store: {
    readonly backend: string;
    readonly default_retention_days: number;
    readonly state_cleanup_batch_size: number;
    readonly clear_on_success: boolean;
    readonly max_value_storage_bytes: number;
    readonly cleanup_interval_seconds: number;
  };
  readonly workers: { readonly state_store_backend: string; readonly execution_api_url: string };
  readonly api: {
    readonly host: string;
    readonly port: number;
    readonly secret_key: string;
    readonly auth: "token" | "none";
    readonly auth_tokens: readonly string[];
    readonly ui_dir: string;
  };
  readonly logging: { readonly level: string };
}
