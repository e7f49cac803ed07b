import { existsSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  CONFIG_FILE_NAME,
  type ConfigLayer,
  configFromEnvironment,
  type RawConfig,
  readConfigFile,
  resolveConfig,
  type TidemarkConfig,
} from "@tidemark/config";
import { databaseTag } from "./database-tag.js";

/** The directory, under the working directory, where the demo keeps everything it creates by default. */
export const DEMO_HOME = ".tidemark";

/** Values whose JSON text is at least this many bytes are offloaded by default (airport_stats is ~40 KB). */
export const DEMO_OFFLOAD_THRESHOLD_BYTES = 1024;

/**
 * The demo's defaults, below `tidemark.toml` and `TIDEMARK__SECTION__KEY` variables (which win):
 * - `state_store.clear_on_success = false`, so a successful task keeps its task state (the delay report
 *   keeps the id of its external job, which the UI shows; it deletes its checkpoint itself);
 * - `common_io.state_store_objectstorage_path = file://<cwd>/.tidemark/objects-<tag of database.url>/`
 *   (one folder per metastore, like the warehouse), compression `gzip`, threshold 1024 bytes (small values
 *   stay inline, `airport_stats` is offloaded).
 * `database.url` keeps Tidemark's default, `sqlite:.tidemark/tidemark.db`.
 *
 * @param cwd - the working directory.
 * @param databaseUrl - the `database.url` the demo will use (names the objects folder).
 * @returns the raw layer.
 */
export function demoDefaults(cwd: string, databaseUrl: string): RawConfig {
  return {
    state_store: { clear_on_success: false },
    common_io: {
      state_store_objectstorage_path: `${pathToFileURL(join(cwd, DEMO_HOME, `objects-${databaseTag(databaseUrl)}`)).href}/`,
      state_store_objectstorage_compression: "gzip",
      state_store_objectstorage_threshold: DEMO_OFFLOAD_THRESHOLD_BYTES,
    },
  };
}

/**
 * Loads the configuration as every Tidemark process does (the TOML file named by `TIDEMARK_CONFIG`, else
 * `./tidemark.toml` if present, then `TIDEMARK__…` variables), over the demo's defaults.
 *
 * @param options - working directory and environment.
 * @returns the frozen configuration.
 * @throws StateStoreError `CONFIG_ERROR` naming the option or file that is wrong.
 */
export function loadDemoConfig(options: {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
}): TidemarkConfig {
  const { cwd, env } = options;
  const layers: ConfigLayer[] = [];
  const explicit = env.TIDEMARK_CONFIG;
  const file =
    explicit !== undefined && explicit !== ""
      ? isAbsolute(explicit)
        ? explicit
        : resolve(cwd, explicit)
      : resolve(cwd, CONFIG_FILE_NAME);
  // An explicit file must exist (readConfigFile explains a missing one); ./tidemark.toml is optional.
  if (explicit || existsSync(file)) layers.push({ source: file, values: readConfigFile(file) });
  layers.push({ source: "environment (TIDEMARK__SECTION__KEY)", values: configFromEnvironment(env) });
  // The objects folder default depends on database.url, which the file or the environment may set.
  const { database } = resolveConfig(layers);
  return resolveConfig([{ source: "demo defaults", values: demoDefaults(cwd, database.url) }, ...layers]);
}

/**
 * The options the api-server child needs to agree with the demo, as `TIDEMARK__…` variables: the
 * metastore, the state store options the server enforces, and where to listen.
 *
 * @param config - the demo's configuration.
 * @returns environment variables for the child.
 */
export function serverEnvironment(config: TidemarkConfig): Record<string, string> {
  return {
    TIDEMARK__DATABASE__URL: config.database.url,
    TIDEMARK__STATE_STORE__CLEAR_ON_SUCCESS: String(config.state_store.clear_on_success),
    TIDEMARK__STATE_STORE__MAX_VALUE_STORAGE_BYTES: String(config.state_store.max_value_storage_bytes),
    TIDEMARK__STATE_STORE__DEFAULT_RETENTION_DAYS: String(config.state_store.default_retention_days),
    TIDEMARK__API__HOST: "127.0.0.1",
    TIDEMARK__API__PORT: "0",
    TIDEMARK__LOGGING__LEVEL: config.logging.level,
  };
}
