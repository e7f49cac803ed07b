import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { StateStoreError } from "@tidemark/state";
import { parse } from "smol-toml";
import { type ConfigLayer, configFromEnvironment, type RawConfig, resolveConfig } from "./resolve-config.js";
import type { TidemarkConfig } from "./tidemark-config.js";

/** Name of the configuration file looked up in the working directory. */
export const CONFIG_FILE_NAME = "tidemark.toml";

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Working directory where `tidemark.toml` is looked up. Default `process.cwd()`. */
  cwd?: string;
  /** Environment. Default `process.env`. `TIDEMARK_CONFIG` names the file; `TIDEMARK__SECTION__KEY` set options. */
  env?: Readonly<Record<string, string | undefined>>;
  /** A configuration file to read instead of the lookup (an explicit path must exist). */
  file?: string;
  /** Values that win over the file and the environment, for example from command-line flags. */
  overrides?: RawConfig;
}

/**
 * Reads a TOML configuration file.
 *
 * @param path - the file.
 * @returns its sections.
 * @throws StateStoreError `CONFIG_ERROR` when the file cannot be read or is not valid TOML (with the line).
 */
export function readConfigFile(path: string): RawConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new StateStoreError(
      "CONFIG_ERROR",
      `configuration file ${path} cannot be read: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  try {
    return parse(text) as RawConfig;
  } catch (cause) {
    throw new StateStoreError(
      "CONFIG_ERROR",
      `configuration file ${path} is not valid TOML: ${(cause as Error).message.split("\n")[0]}`,
      { cause },
    );
  }
}

/**
 * The one configuration loader of every Tidemark server, worker and CLI: defaults, then the TOML file
 * (`TIDEMARK_CONFIG`, else `tidemark.toml` in the working directory, if present), then
 * `TIDEMARK__SECTION__KEY` environment variables, then `overrides`; validated at start-up.
 *
 * @param options - where to look and what to overlay.
 * @returns the frozen configuration.
 * @throws StateStoreError `CONFIG_ERROR` naming the option, its source and the accepted values, or the
 *   file that is missing or malformed.
 */
export function loadConfig(options: LoadConfigOptions = {}): TidemarkConfig {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const layers: ConfigLayer[] = [];
  const explicit = options.file ?? env.TIDEMARK_CONFIG;
  if (explicit !== undefined && explicit !== "") {
    const path = isAbsolute(explicit) ? explicit : resolve(cwd, explicit);
    if (!existsSync(path)) {
      throw new StateStoreError(
        "CONFIG_ERROR",
        `configuration file ${path} (from ${options.file ? "the file option" : "TIDEMARK_CONFIG"}) does not exist; create it or unset TIDEMARK_CONFIG`,
      );
    }
    layers.push({ source: path, values: readConfigFile(path) });
  } else {
    const path = resolve(cwd, CONFIG_FILE_NAME);
    if (existsSync(path)) layers.push({ source: path, values: readConfigFile(path) });
  }
  layers.push({ source: "environment (TIDEMARK__SECTION__KEY)", values: configFromEnvironment(env) });
  if (options.overrides) layers.push({ source: "overrides", values: options.overrides });
  return resolveConfig(layers);
}
