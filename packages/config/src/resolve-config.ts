import { StateStoreError } from "@tidemark/state";
import { CONFIG_OPTIONS, type ConfigOption } from "./config-options.js";
import type { TidemarkConfig } from "./tidemark-config.js";

/** Raw configuration layers: section → option → value, as read from TOML or built by a caller. */
export type RawConfig = Record<string, Record<string, unknown>>;

/** Prefix of configuration environment variables: `TIDEMARK__SECTION__KEY`. */
export const ENV_PREFIX = "TIDEMARK__";

function fail(option: string, source: string, message: string): never {
  throw new StateStoreError("CONFIG_ERROR", `${option} (from ${source}) ${message}`, {
    details: { option, source },
  });
}

function coerce(option: ConfigOption, value: unknown, source: string): unknown {
  const name = `${option.section}.${option.key}`;
  const fromEnv = typeof value === "string" && source.startsWith("environment");
  switch (option.type) {
    case "string": {
      if (typeof value !== "string") fail(name, source, `must be a string, got ${JSON.stringify(value)}`);
      if (option.choices && !option.choices.includes(value)) {
        fail(
          name,
          source,
          `must be one of ${option.choices.map((c) => JSON.stringify(c)).join(", ")}, got ${JSON.stringify(value)}`,
        );
      }
      const accepted = option.check?.(value);
      if (accepted !== undefined) fail(name, source, `must be ${accepted}, got ${JSON.stringify(value)}`);
      return value;
    }
    case "integer": {
      const n = fromEnv && /^-?\d+$/.test((value as string).trim()) ? Number(value) : value;
      if (typeof n !== "number" || !Number.isSafeInteger(n)) {
        fail(name, source, `must be an integer, got ${JSON.stringify(value)}`);
      }
      if (option.min !== undefined && n < option.min) {
        fail(
          name,
          source,
          `must be an integer >= ${option.min}${option.min === 0 ? " (0 disables it)" : ""}, got ${n}`,
        );
      }
      return n;
    }
    case "boolean": {
      if (typeof value === "boolean") return value;
      if (fromEnv) {
        const v = (value as string).trim().toLowerCase();
        if (["true", "1", "yes", "on"].includes(v)) return true;
        if (["false", "0", "no", "off", ""].includes(v)) return false;
      }
      return fail(name, source, `must be true or false, got ${JSON.stringify(value)}`);
    }
    case "string-list": {
      if (fromEnv) {
        const text = (value as string).trim();
        if (text.startsWith("[")) {
          try {
            value = JSON.parse(text);
          } catch {
            fail(name, source, "must be a JSON array of strings or a comma-separated list");
          }
        } else {
          return text === ""
            ? []
            : text
                .split(",")
                .map((s) => s.trim())
                .filter(Boolean);
        }
      }
      if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
        fail(name, source, `must be an array of strings, got ${JSON.stringify(value)}`);
      }
      return Object.freeze([...(value as string[])]);
    }
  }
}

/**
 * Reads `TIDEMARK__SECTION__KEY` variables into a raw layer (section and key lower-cased). Variables for
 * sections Tidemark does not know are kept, for third-party providers.
 *
 * @param env - the environment, usually `process.env`.
 * @returns the raw layer.
 */
export function configFromEnvironment(env: Readonly<Record<string, string | undefined>>): RawConfig {
  const layer: RawConfig = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined) continue;
    const rest = name.slice(ENV_PREFIX.length);
    const split = rest.indexOf("__");
    if (split <= 0 || split === rest.length - 2) continue;
    const section = rest.slice(0, split).toLowerCase();
    const key = rest.slice(split + 2).toLowerCase();
    layer[section] ??= {};
    (layer[section] as Record<string, unknown>)[key] = value;
  }
  return layer;
}

/** One raw layer with the name of where it came from, for messages. */
export interface ConfigLayer {
  /**
   * Where the values came from, named in errors: a file path, `overrides`, or a name starting with
   * `environment`, whose string values are then parsed as integers, booleans and lists.
   */
  readonly source: string;
  /** The values, by section and option (snake_case). */
  readonly values: RawConfig;
}

/**
 * Merges layers over the defaults (later layers win) and validates every known option.
 *
 * @param layers - for example the TOML file, then the environment, then programmatic overrides.
 * @returns the frozen configuration; sections Tidemark does not know are passed through.
 * @throws StateStoreError `CONFIG_ERROR` naming the option, where it came from and the accepted values;
 *   also for an unknown option in a known section (a typo), listing the known options.
 */
export function resolveConfig(layers: readonly ConfigLayer[]): TidemarkConfig {
  const known = new Map<string, Map<string, ConfigOption>>();
  for (const option of CONFIG_OPTIONS) {
    if (!known.has(option.section)) known.set(option.section, new Map());
    known.get(option.section)?.set(option.key, option);
  }
  const result: Record<string, Record<string, unknown>> = {};
  for (const option of CONFIG_OPTIONS) {
    result[option.section] ??= {};
    (result[option.section] as Record<string, unknown>)[option.key] = option.default;
  }
  for (const layer of layers) {
    for (const [section, values] of Object.entries(layer.values)) {
      if (typeof values !== "object" || values === null || Array.isArray(values)) {
        fail(section, layer.source, "must be a table of options");
      }
      const options = known.get(section);
      result[section] ??= {};
      for (const [key, value] of Object.entries(values)) {
        const option = options?.get(key);
        if (options !== undefined && option === undefined) {
          fail(
            `${section}.${key}`,
            layer.source,
            `is not a Tidemark option; the options of [${section}] are ${[...options.keys()].join(", ")}`,
          );
        }
        (result[section] as Record<string, unknown>)[key] = option
          ? coerce(option, value, layer.source)
          : value;
      }
    }
  }
  for (const section of Object.values(result)) Object.freeze(section);
  return Object.freeze(result) as unknown as TidemarkConfig;
}
