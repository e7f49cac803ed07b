export { CONFIG_OPTIONS, type ConfigOption, type ConfigOptionType } from "./config-options.js";
export { CONFIG_FILE_NAME, type LoadConfigOptions, loadConfig, readConfigFile } from "./load-config.js";
export {
  type ConfigLayer,
  configFromEnvironment,
  ENV_PREFIX,
  type RawConfig,
  resolveConfig,
} from "./resolve-config.js";
export type { TidemarkConfig } from "./tidemark-config.js";
