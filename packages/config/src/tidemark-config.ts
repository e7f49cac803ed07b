import type { ConfigSections } from "@tidemark/state";

/**
 * The validated configuration. Section and option names are the file's, snake_case, as in
 * `tidemark.toml` and the `TIDEMARK__SECTION__KEY` environment variables. Sections Tidemark does not
 * know (a provider's, such as `common_io`) are present as given, unvalidated, when configured.
 */
export interface TidemarkConfig extends ConfigSections {
  /** `[database]`: the metastore. */
  readonly database: {
    /**
     * `database.url`: `sqlite:///absolute/path.db`, `sqlite:relative/path.db`, `sqlite::memory:`,
     * `postgres://user@host:5432/db` or `mysql://user@host:3306/db`. Default `sqlite:.tidemark/tidemark.db`.
     */
    readonly url: string;
    /** `database.pool_size`: most connections one process opens to a Postgres or MySQL metastore. Default 10. */
    readonly pool_size: number;
  };
  /** `[state_store]`: the server-side state store. */
  readonly state_store: {
    /**
     * `state_store.backend`: server backend as `module#Export`; empty (default) = the built-in
     * MetastoreBackend.
     */
    readonly backend: string;
    /**
     * `state_store.default_retention_days`: days a task state key lives by default; 0 = never. Default 30.
     */
    readonly default_retention_days: number;
    /**
     * `state_store.state_cleanup_batch_size`: expired rows deleted per transaction; 0 = one statement.
     * Default 10,000.
     */
    readonly state_cleanup_batch_size: number;
    /** `state_store.clear_on_success`: clear a task instance's task state when it succeeds. Default false. */
    readonly clear_on_success: boolean;
    /**
     * `state_store.max_value_storage_bytes`: largest value, in UTF-8 bytes of JSON; 0 = no limit. Default
     * 65,535.
     */
    readonly max_value_storage_bytes: number;
    /**
     * `state_store.cleanup_interval_seconds`: seconds between scheduled cleanups; 0 = none. Default 3,600.
     */
    readonly cleanup_interval_seconds: number;
  };
  /** `[workers]`: what task code on the workers uses. */
  readonly workers: {
    /** `workers.state_store_backend`: worker backend as `module#Export`; empty (default) = values inline. */
    readonly state_store_backend: string;
    /**
     * `workers.execution_api_url`: Execution API base URL including `/execution`; empty (default) = not
     * configured.
     */
    readonly execution_api_url: string;
  };
  /** `[api]`: `tidemark api-server`. */
  readonly api: {
    /** `api.host`: address the api-server binds. Default `127.0.0.1`. */
    readonly host: string;
    /** `api.port`: port the api-server listens on; 0 = any free port. Default 8080. */
    readonly port: number;
    /**
     * `api.secret_key`: HS256 key signing task instance tokens; empty (default) = generated at first start.
     */
    readonly secret_key: string;
    /** `api.auth`: Core REST API authentication, `token` (default) or `none` (loopback only). */
    readonly auth: "token" | "none";
    /** `api.auth_tokens`: bearer tokens the Core REST API accepts. Default none. */
    readonly auth_tokens: readonly string[];
    /**
     * `api.ui_dir`: directory of the built UI served at /ui/; empty (default) = the UI bundled with
     * `@tidemark/core`.
     */
    readonly ui_dir: string;
    /**
     * `api.startup_timeout_seconds`: seconds the api-server retries its start-up readiness check with
     * backoff; 0 (default) = one attempt.
     */
    readonly startup_timeout_seconds: number;
    /** `api.metrics`: serve and record Prometheus metrics at `GET /metrics`. Default true. */
    readonly metrics: boolean;
    /** `api.metrics_token`: bearer token `GET /metrics` requires; empty (default) = none. */
    readonly metrics_token: string;
    /** `api.max_event_loop_delay_ms`: shed load (503) above this event-loop delay, in ms; 0 (default) = off. */
    readonly max_event_loop_delay_ms: number;
    /** `api.max_heap_used_bytes`: shed load (503) above this V8 heap use, in bytes; 0 (default) = off. */
    readonly max_heap_used_bytes: number;
    /** `api.shed_retry_after_seconds`: the `Retry-After` of a shed request, in seconds. Default 5. */
    readonly shed_retry_after_seconds: number;
  };
  /** `[logging]`. */
  readonly logging: {
    /** `logging.level`: pino level of servers and workers, `fatal` to `trace` or `silent`. Default `info`. */
    readonly level: string;
  };
}
