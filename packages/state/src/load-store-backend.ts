import {
  type BackendCreateContext,
  isStoreBackendDefinition,
  isWorkerBackendDefinition,
  type StoreBackendDefinition,
  type WorkerBackendDefinition,
} from "./define-backend.js";
import { isStateStoreError, StateStoreError } from "./state-store-error.js";
import type { BaseStoreBackend, ConfigSections } from "./store-backend.js";
import type { WorkerStoreBackend } from "./worker-backend.js";

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

/** Options of {@link loadStoreBackend} and {@link loadWorkerBackend}. */
export interface LoadBackendOptions {
  /** The configuration option the spec came from, named in errors. Default `state_store.backend`. */
  option?: string;
  /** Every configuration section; the definition's own section is parsed with its `parseConfig`. */
  config: ConfigSections;
  /** Directory that relative module paths and package names resolve from. Default `process.cwd()`. */
  cwd?: string;
  /** Imports a module; replace it to resolve from another place. Default: resolve from `cwd`, then import. */
  importModule?: (specifier: string) => Promise<Record<string, unknown>>;
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

type Kind = "store-backend" | "worker-backend";

/**
 * The definition an export stands for: the export itself, or a class's static `definition` (server) or
 * `workerDefinition` (worker), so one class serving both roles is named the same way in both options.
 */
function definitionOf(
  exported: unknown,
  kind: Kind,
): StoreBackendDefinition | WorkerBackendDefinition | undefined {
  const is = kind === "store-backend" ? isStoreBackendDefinition : isWorkerBackendDefinition;
  if (is(exported)) return exported;
  const holder = exported as { definition?: unknown; workerDefinition?: unknown } | null | undefined;
  const attached = kind === "store-backend" ? holder?.definition : holder?.workerDefinition;
  if ((typeof exported === "function" || typeof exported === "object") && is(attached)) return attached;
  return undefined;
}

async function load(spec: string, options: LoadBackendOptions, kind: Kind): Promise<unknown> {
  const option =
    options.option ?? (kind === "store-backend" ? "state_store.backend" : "workers.state_store_backend");
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
  const definition = definitionOf(exported, kind);
  if (definition === undefined) {
    const other = definitionOf(exported, kind === "store-backend" ? "worker-backend" : "store-backend");
    const factory = kind === "store-backend" ? "defineStoreBackend" : "defineWorkerBackend";
    throw new StateStoreError(
      "CONFIG_ERROR",
      other !== undefined
        ? `${option} = ${JSON.stringify(spec)}: the export defines a ${other.kind === "store-backend" ? "server" : "worker"} backend, but ${option} needs a ${kind === "store-backend" ? "server" : "worker"} backend; point it at the right export`
        : `${option} = ${JSON.stringify(spec)}: the export is not a backend definition; export one made with ${factory}({ name, configSection, parseConfig, create }) from @tidemark/state (or a class with such a static \`definition\`)`,
      { details: { option } },
    );
  }
  const section =
    definition.configSection === undefined ? {} : (options.config[definition.configSection] ?? {});
  try {
    const parsed = definition.parseConfig(section);
    return await (definition.create as (o: unknown, c: BackendCreateContext) => unknown)(parsed, {
      config: options.config,
      cwd,
    });
  } catch (cause) {
    if (isStateStoreError(cause)) throw cause;
    throw new StateStoreError(
      "CONFIG_ERROR",
      `${option} = ${JSON.stringify(spec)}: creating backend ${definition.name} failed: ${(cause as Error)?.message ?? String(cause)}`,
      { cause, details: { option } },
    );
  }
}

/**
 * Loads the server backend a `module#export` specification names (`state_store.backend`), once, by
 * dynamic import. The export is a {@link defineStoreBackend} definition (or a class carrying one as its
 * static `definition`); its own configuration section is parsed with its `parseConfig`.
 *
 * @param spec - `module#export`.
 * @param options - the option name for errors, the configuration, where to resolve from.
 * @returns the backend.
 * @throws StateStoreError `CONFIG_ERROR` naming the option when the module cannot be imported, the export
 *   is missing or is not a server backend definition, or creating the backend fails (the cause is kept);
 *   the provider's own `CONFIG_ERROR` for a bad section.
 */
export async function loadStoreBackend(spec: string, options: LoadBackendOptions): Promise<BaseStoreBackend> {
  return (await load(spec, options, "store-backend")) as BaseStoreBackend;
}

/**
 * Loads the worker backend a `module#export` specification names (`workers.state_store_backend`), as
 * {@link loadStoreBackend} does for server backends (reference: `[workers] state_backend`, loaded by import
 * path).
 *
 * @param spec - `module#export`.
 * @param options - the option name for errors (default `workers.state_store_backend`), the configuration.
 * @returns the worker backend.
 * @throws StateStoreError as {@link loadStoreBackend}, for worker backend definitions.
 */
export async function loadWorkerBackend(
  spec: string,
  options: LoadBackendOptions,
): Promise<WorkerStoreBackend> {
  return (await load(spec, options, "worker-backend")) as WorkerStoreBackend;
}
