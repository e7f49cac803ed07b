import type { BaseStoreBackend, ConfigSections } from "./store-backend.js";
import type { WorkerStoreBackend } from "./worker-backend.js";

const STORE = Symbol.for("@tidemark/state.StoreBackendDefinition");
const WORKER = Symbol.for("@tidemark/state.WorkerBackendDefinition");

/** What a backend's `create` receives besides its parsed options. */
export interface BackendCreateContext {
  /** Every configuration section, for backends that read more than their own. */
  readonly config: ConfigSections;
  /** The directory relative paths in the configuration resolve from. */
  readonly cwd: string;
}

/** Input of {@link defineStoreBackend} and {@link defineWorkerBackend}. */
export interface BackendDefinitionInit<O, B> {
  /** The backend's name, for messages. */
  readonly name: string;
  /** The configuration section the provider owns, for example `common_io`; omit for none. */
  readonly configSection?: string;
  /**
   * Validates the provider's section (snake_case options as in `tidemark.toml`, `{}` when absent) into
   * typed options.
   *
   * @throws StateStoreError `CONFIG_ERROR` naming the option (`section.option`) and how to fix it.
   */
  readonly parseConfig: (section: Readonly<Record<string, unknown>>) => O;
  /** Builds the backend from typed options. */
  readonly create: (options: O, context: BackendCreateContext) => B | Promise<B>;
}

/** A server backend as the loader expects it: made by {@link defineStoreBackend}. */
export interface StoreBackendDefinition<O = unknown, B extends BaseStoreBackend = BaseStoreBackend>
  extends BackendDefinitionInit<O, B> {
  /** Marks a server backend definition. */
  readonly kind: "store-backend";
}

/** A worker backend as the loader expects it: made by {@link defineWorkerBackend}. */
export interface WorkerBackendDefinition<O = unknown, B extends WorkerStoreBackend = WorkerStoreBackend>
  extends BackendDefinitionInit<O, B> {
  /** Marks a worker backend definition. */
  readonly kind: "worker-backend";
}

/**
 * Declares a server backend for configuration (`state_store.backend = "module#export"`): the one shape
 * the loader accepts. Direct construction with typed options stays available to code.
 *
 * @example
 * ```ts
 * export const redisBackend = defineStoreBackend({
 *   name: "redis", configSection: "redis",
 *   parseConfig: (s) => ({ url: String(s.url ?? "redis://127.0.0.1:6379") }),
 *   create: (o) => new RedisStoreBackend(o),
 * });
 * ```
 * @param init - name, owned configuration section, parser and factory.
 * @returns the frozen definition.
 */
export function defineStoreBackend<O, B extends BaseStoreBackend>(
  init: BackendDefinitionInit<O, B>,
): StoreBackendDefinition<O, B> {
  const definition = { ...init, kind: "store-backend" as const };
  Object.defineProperty(definition, STORE, { value: true });
  return Object.freeze(definition);
}

/**
 * Declares a worker backend for configuration (`workers.state_store_backend = "module#export"`).
 *
 * @param init - name, owned configuration section, parser and factory.
 * @returns the frozen definition.
 */
export function defineWorkerBackend<O, B extends WorkerStoreBackend>(
  init: BackendDefinitionInit<O, B>,
): WorkerBackendDefinition<O, B> {
  const definition = { ...init, kind: "worker-backend" as const };
  Object.defineProperty(definition, WORKER, { value: true });
  return Object.freeze(definition);
}

/**
 * Tells whether a value was made by {@link defineStoreBackend} (in any copy of this package).
 *
 * @param value - anything.
 * @returns true for a server backend definition.
 */
export function isStoreBackendDefinition(value: unknown): value is StoreBackendDefinition {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[STORE] === true;
}

/**
 * Tells whether a value was made by {@link defineWorkerBackend} (in any copy of this package).
 *
 * @param value - anything.
 * @returns true for a worker backend definition.
 */
export function isWorkerBackendDefinition(value: unknown): value is WorkerBackendDefinition {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[WORKER] === true;
}
