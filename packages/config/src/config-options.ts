/** The type of a configuration option's value. */
export type ConfigOptionType = "string" | "integer" | "boolean" | "string-list";

/** One configuration option: where it lives, its type, default, rules and meaning. */
export interface ConfigOption {
  /** Section, for example `state_store`. */
  readonly section: string;
  /** Option name within the section, for example `default_retention_days`. */
  readonly key: string;
  /** The value's type, which decides how a value from the environment is parsed. */
  readonly type: ConfigOptionType;
  /** The value when no layer sets the option. */
  readonly default: string | number | boolean | readonly string[];
  /** For strings: the accepted values, when the option is an enumeration. */
  readonly choices?: readonly string[];
  /** For integers: the smallest accepted value. */
  readonly min?: number;
  /** For strings: a check returning the accepted forms when the value is wrong, else undefined. */
  readonly check?: (value: string) => string | undefined;
  /** What the option does, with its units, for the README's configuration table. */
  readonly description: string;
}

const BACKEND_SPEC = (value: string) =>
  value === "" || /^[^#]+#[^#]+$/.test(value) ? undefined : '"" or "module#Export"';

const DATABASE_URL = (value: string) =>
  /^(sqlite:|postgres:\/\/|postgresql:\/\/|mysql:\/\/|mariadb:\/\/)/.test(value)
    ? undefined
    : "sqlite:///absolute/path.db, sqlite:relative/path.db, sqlite::memory:, postgres://user@host:port/database or mysql://user@host:port/database";

/**
 * Every option Tidemark reads, with its default. Sections that are not listed here (a provider's own,
 * such as `common_io`) are passed through as they are; the provider's backend definition validates them.
 */
export const CONFIG_OPTIONS: readonly ConfigOption[] = Object.freeze([
  {
    section: "database",
    key: "url",
    type: "string",
    default: "sqlite:.tidemark/tidemark.db",
    check: DATABASE_URL,
    description:
      "The metastore. `sqlite:///absolute/path.db`, `sqlite:relative/path.db` (relative to the working directory), `sqlite::memory:`, `postgres://user@host:5432/db` or `mysql://user@host:3306/db` (MySQL 8 or MariaDB 10.11+; also `mariadb://`).",
  },
  {
    section: "database",
    key: "pool_size",
    type: "integer",
    default: 10,
    min: 2,
    description:
      "Most connections one process opens to a Postgres or MySQL metastore (one pool per api-server or CLI command). With N api-servers on one database the peak is N × pool_size; keep it below the server's max_connections. At least 2: a cleanup sweep holds one connection for its lock. SQLite uses one connection.",
  },
  {
    section: "state_store",
    key: "backend",
    type: "string",
    default: "",
    check: BACKEND_SPEC,
    description:
      "Server-side backend as `module#Export`; empty means the built-in MetastoreBackend on `database.url`.",
  },
  {
    section: "state_store",
    key: "default_retention_days",
    type: "integer",
    default: 30,
    min: 0,
    description:
      "Days a task state key lives when `set` gives no retention (expires_at = now + days, UTC). 0 = never expire. Asset state never expires.",
  },
  {
    section: "state_store",
    key: "state_cleanup_batch_size",
    type: "integer",
    default: 10000,
    min: 0,
    description:
      "Expired task state rows deleted per transaction by cleanup, so writers wait at most one batch. 0 = one statement.",
  },
  {
    section: "state_store",
    key: "clear_on_success",
    type: "boolean",
    default: false,
    description:
      "Clear a task instance's task state (rows and worker-backend objects) when it succeeds. Asset state is never cleared.",
  },
  {
    section: "state_store",
    key: "max_value_storage_bytes",
    type: "integer",
    default: 65535,
    min: 0,
    description:
      "Largest value the database stores, in UTF-8 bytes of JSON; larger writes fail with 413 / VALUE_TOO_LARGE on every path. 0 = no limit.",
  },
  {
    section: "state_store",
    key: "cleanup_interval_seconds",
    type: "integer",
    default: 3600,
    min: 0,
    description: "Seconds between the api-server's scheduled cleanup sweeps. 0 = no scheduled cleanup.",
  },
  {
    section: "workers",
    key: "state_store_backend",
    type: "string",
    default: "",
    check: BACKEND_SPEC,
    description:
      "Worker-side backend as `module#Export` that offloads values and sends only a reference envelope, e.g. `@tidemark/provider-common-io#StateStoreObjectStorageBackend`. Empty = values inline.",
  },
  {
    section: "workers",
    key: "execution_api_url",
    type: "string",
    default: "",
    description: "Base URL of the Execution API that workers call, e.g. `http://127.0.0.1:8080/execution`.",
  },
  {
    section: "api",
    key: "host",
    type: "string",
    default: "127.0.0.1",
    description: "Address `tidemark api-server` binds.",
  },
  {
    section: "api",
    key: "port",
    type: "integer",
    default: 8080,
    min: 0,
    description: "Port `tidemark api-server` listens on (0 = any free port).",
  },
  {
    section: "api",
    key: "secret_key",
    type: "string",
    default: "",
    description:
      "HS256 key signing task instance tokens. Empty: generated at first start and kept in `.tidemark/secret_key`.",
  },
  {
    section: "api",
    key: "auth",
    type: "string",
    default: "token",
    choices: ["token", "none"],
    description:
      "Core REST API authentication: `token` (bearer tokens from `api.auth_tokens`) or `none` (anonymous; accepted only on a loopback address).",
  },
  {
    section: "api",
    key: "auth_tokens",
    type: "string-list",
    default: [],
    description:
      "Bearer tokens accepted by the Core REST API (a TOML array, or comma-separated in the environment).",
  },
  {
    section: "api",
    key: "ui_dir",
    type: "string",
    default: "",
    description:
      "Directory of the built UI that `tidemark api-server` serves at /ui/ (holding index.html; relative to the working directory). Empty: the UI bundled with `@tidemark/core` (the dist of the `@tidemark/ui` it depends on); when that is not built, no UI, and /ui/ answers 404 saying why.",
  },
  {
    section: "api",
    key: "startup_timeout_seconds",
    type: "integer",
    default: 0,
    min: 0,
    description:
      "Seconds `tidemark api-server` keeps retrying its start-up readiness check (metastore, server backend, migrations) with backoff, logging each attempt, before it gives up. 0: one attempt; a failing check stops the server at once.",
  },
  {
    section: "api",
    key: "metrics",
    type: "boolean",
    default: true,
    description:
      "Serve Prometheus metrics at `GET /metrics` (text format) and record them. false: no route, nothing recorded.",
  },
  {
    section: "api",
    key: "metrics_token",
    type: "string",
    default: "",
    description:
      "Bearer token `GET /metrics` requires. Empty: the route needs no token (keep it on a private network).",
  },
  {
    section: "api",
    key: "max_event_loop_delay_ms",
    type: "integer",
    default: 0,
    min: 0,
    description:
      "Load shedding: answer 503 with `Retry-After` while the event-loop delay exceeds this many milliseconds. 0 = off.",
  },
  {
    section: "api",
    key: "max_heap_used_bytes",
    type: "integer",
    default: 0,
    min: 0,
    description:
      "Load shedding: answer 503 with `Retry-After` while the V8 heap in use exceeds this many bytes. 0 = off.",
  },
  {
    section: "api",
    key: "shed_retry_after_seconds",
    type: "integer",
    default: 5,
    min: 1,
    description: "The `Retry-After` (seconds) of a 503 answered by load shedding.",
  },
  {
    section: "logging",
    key: "level",
    type: "string",
    default: "info",
    choices: ["fatal", "error", "warn", "info", "debug", "trace", "silent"],
    description: "Log level of servers and workers (pino).",
  },
] satisfies ConfigOption[]);
