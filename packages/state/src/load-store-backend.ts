import { StateStoreError } from "./state-store-error.js";
import type { BaseStoreBackend, StoreBackendContext } from "./store-backend.js";

/** A parsed `module#Export` backend specification. */
export interface BackendSpec {
  /** Module specifier: a package name, a package subpath, or a path relative to the working directory. */
  readonly module: string;
  /** Export name; `default` when the spec has no `#`. */
  readonly exportName: string;
}

/**
 * Parses a backend specification of the form `module#Export` (the configuration options
 * `state_store.backend` and `workers.state_store_backend`), for example
 * `@tidemark/provider-common-io#StateStoreObjectStorageBackend` or `./my-backend.js#MyBackend`.
 *
 * @param spec - the specification.
 * @param option - the configuration option it came from, named in errors.
 * @returns module and export name.
 * @throws StateStoreError `CONFIG_ERROR` for an empty module or export name.
 */
export function parseBackendSpec(spec: string, option = "state_store.backend"): BackendSpec {
  const hash = spec.lastIndexOf("#");
  const module = (hash === -1 ? spec : spec.slice(0, hash)).trim();
  const exportName = (hash === -1 ? "default" : spec.slice(hash + 1)).trim();
  if (module.length === 0 || exportName.length === 0) {
    throw new StateStoreError(
      "CONFIG_ERROR",
      `${option} = ${JSON.stringify(spec)} is not of the form "module#Export", for example "@tidemark/provider-common-io#StateStoreObjectStorageBackend"`,
      { details: { option } },
    );
  }
  return { module, exportName };
}

/** Options of {@link loadStoreBackend}. */
export interface LoadStoreBackendOptions {
  /** The configuration option the spec came from, named in errors. Default `state_store.backend`. */
  option?: string;
  /** Passed to the backend's constructor or factory. */
  context: StoreBackendContext;
  /** Directory that relative module paths and package names resolve from. Default `process.cwd()`. */
  cwd?: string;
  /** Imports a module; replace it to resolve from another place. Default: resolve from `cwd`, then import. */
  importModule?: (specifier: string) => Promise<Record<string, unknown>>;
}

function looksLikeBackend(value: unknown): value is BaseStoreBackend {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return ["get", "set", "delete", "clear"].every((m) => typeof v[m] === "function");
}

async function defaultImport(specifier: string, cwd: string): Promise<Record<string, unknown>> {
  const { createRequire } = await import("node:module");
  const { isAbsolute, resolve } = await import("node:path");
  const { pathToFileURL } = await import("node:url");
  if (specifier.startsWith("file:")) return import(specifier);
  if (specifier.startsWith(".") || isAbsolute(specifier)) {
    return import(pathToFileURL(resolve(cwd, specifier)).href);
  }
  let resolved: string | undefined;
  try {
    resolved = createRequire(resolve(cwd, "package.json")).resolve(specifier);
  } catch {
    resolved = undefined;
  }
  return resolved === undefined ? import(specifier) : import(pathToFileURL(resolved).href);
}

/**
 * Loads a backend from a `module#Export` specification, once, by dynamic import. The export may be a
 * class (constructed with `new Export(context)`), a factory function (called with `context`), or a
 * ready instance. Reference: `[workers] state_backend`, loaded by import path and cached.
 *
 * @param spec - `module#Export`.
 * @param options - the option name for errors, the context handed to the backend, where to resolve from.
 * @returns the backend instance.
 * @throws StateStoreError `CONFIG_ERROR` naming the option when the module cannot be imported, the export
 *   is missing, or it does not produce an object with get/set/delete/clear (the cause is kept).
 */
export async function loadStoreBackend(
  spec: string,
  options: LoadStoreBackendOptions,
): Promise<BaseStoreBackend> {
  const option = options.option ?? "state_store.backend";
  const { module, exportName } = parseBackendSpec(spec, option);
  const cwd = options.cwd ?? process.cwd();
  let namespace: Record<string, unknown>;
  try {
    namespace = await (options.importModule ?? ((s: string) => defaultImport(s, cwd)))(module);
  } catch (cause) {
    throw new StateStoreError(
      "CONFIG_ERROR",
      `${option} = ${JSON.stringify(spec)}: module ${JSON.stringify(module)} could not be imported (${(cause as Error)?.message ?? String(cause)}); install the package in the application or fix the option`,
      { cause, details: { option } },
    );
  }
  const exported = namespace[exportName];
  if (exported === undefined) {
    const available = Object.keys(namespace).filter((k) => k !== "__esModule");
    throw new StateStoreError(
      "CONFIG_ERROR",
      `${option} = ${JSON.stringify(spec)}: module ${JSON.stringify(module)} has no export ${JSON.stringify(exportName)} (it exports ${available.join(", ") || "nothing"})`,
      { details: { option } },
    );
  }
  let instance: unknown;
  try {
    if (typeof exported === "function") {
      const proto = (exported as { prototype?: Record<string, unknown> }).prototype;
      const isClass =
        proto !== undefined && typeof proto.get === "function" && typeof proto.set === "function";
      instance = isClass
        ? new (exported as new (c: StoreBackendContext) => unknown)(options.context)
        : await (exported as (c: StoreBackendContext) => unknown)(options.context);
    } else {
      instance = exported;
    }
  } catch (cause) {
    if (cause instanceof StateStoreError) throw cause;
    throw new StateStoreError(
      "CONFIG_ERROR",
      `${option} = ${JSON.stringify(spec)}: constructing the backend failed: ${(cause as Error)?.message ?? String(cause)}`,
      { cause, details: { option } },
    );
  }
  if (!looksLikeBackend(instance)) {
    throw new StateStoreError(
      "CONFIG_ERROR",
      `${option} = ${JSON.stringify(spec)}: the export is not a state store backend (expected a class extending BaseStoreBackend, a factory returning one, or an instance)`,
      { details: { option } },
    );
  }
  return instance;
}
