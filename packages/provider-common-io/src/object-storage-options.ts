import type { S3ClientConfig } from "@aws-sdk/client-s3";
import type { StoragePipelineOptions } from "@azure/storage-blob";
import { type ConfigSections, StateStoreError } from "@tidemark/state";
import {
  COMMON_IO_SECTION,
  COMPRESSION_OPTION,
  type ObjectStorageCompression,
  PATH_OPTION,
  parseObjectStorageConfig,
  resolveCompression,
  resolveThreshold,
  THRESHOLD_OPTION,
} from "./object-storage-config.js";
import { type ObjectStoragePath, parseObjectStoragePath } from "./object-storage-path.js";
import type { ObjectStore } from "./object-store.js";

/** The whole configuration, for building the backend from its `common_io` section. */
export interface StoreBackendContext {
  /** Every configuration section (snake_case, as in `tidemark.toml`); the backend reads `common_io`. */
  readonly config: ConfigSections;
}

/**
 * Explicit options of {@link StateStoreObjectStorageBackend}; the same settings as the `common_io`
 * configuration section.
 */
export interface StateStoreObjectStorageOptions {
  /**
   * The base (`common_io.state_store_objectstorage_path`): `file:///absolute/dir/`,
   * `s3://conn_id@bucket/prefix/`, `az://conn_id@container/prefix/`, `abfs://conn_id@container/prefix/` or
   * `abfs://container@account.dfs.core.windows.net/prefix/` (conn_id and prefix optional). Required
   * unless `store` is given.
   */
  path?: string;
  /**
   * Your own {@link ObjectStore} (GCS, an in-house service, …) instead of a built-in one named by `path`;
   * its `description` becomes the backend's `base`. The backend owns it: `close()` closes it. Calls are
   * traced like the built-in stores'.
   */
  store?: ObjectStore;
  /** `common_io.state_store_objectstorage_compression`: "" (default, none) or "gzip". */
  compression?: string;
  /**
   * `common_io.state_store_objectstorage_threshold`, in UTF-8 bytes of JSON text: the worker hooks keep a
   * value whose text is strictly smaller inline and offload the rest. 0 (default) offloads every value.
   */
  threshold?: number;
  /** Where `TIDEMARK_CONN_<CONN_ID>` is read from. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * Extra settings merged last into the S3 client configuration (for example `maxAttempts`,
   * `requestHandler`). Type-only import: the SDK itself is loaded on first S3 use.
   */
  s3ClientConfig?: Partial<S3ClientConfig>;
  /**
   * Extra `@azure/storage-blob` pipeline options merged over the defaults (for example `retryOptions`;
   * the default retries 3 times with a short backoff). Type-only import: the SDK itself is loaded on
   * first Azure use.
   */
  azureClientOptions?: Partial<StoragePipelineOptions>;
  /** The clock used for expiry, UTC. Default `() => new Date()`. */
  now?: () => Date;
  /** Most object requests (HEAD/GET) in flight at once during list and cleanup. Default 16. */
  concurrency?: number;
}

/** Options after validation. */
export interface ResolvedObjectStorageOptions {
  /** The parsed path, or the caller's own store. */
  readonly path:
    | ObjectStoragePath
    | { readonly scheme: "custom"; readonly base: string; readonly store: ObjectStore };
  readonly compression: ObjectStorageCompression;
  readonly threshold: number;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly s3ClientConfig: Partial<S3ClientConfig>;
  readonly azureClientOptions: Partial<StoragePipelineOptions>;
  readonly now: () => Date;
  readonly concurrency: number;
}

function isContext(input: unknown): input is StoreBackendContext {
  return (
    typeof input === "object" &&
    input !== null &&
    "config" in input &&
    !("path" in input) &&
    typeof (input as { config: unknown }).config === "object"
  );
}

const STORE_METHODS = [
  "refOf",
  "objectKeyOfRef",
  "put",
  "get",
  "head",
  "deleteMany",
  "list",
  "close",
] as const;

function isObjectStore(store: unknown): store is ObjectStore {
  const candidate = store as Record<string, unknown> | null;
  return (
    typeof candidate === "object" &&
    candidate !== null &&
    typeof candidate.description === "string" &&
    STORE_METHODS.every((method) => typeof candidate[method] === "function")
  );
}

/**
 * Validates the options of the backend, given either explicitly or as the whole configuration (whose
 * `common_io` section is parsed as the backend definitions parse it).
 *
 * @param input - {@link StateStoreObjectStorageOptions} or `{ config }`.
 * @returns the resolved options.
 * @throws StateStoreError `CONFIG_ERROR` naming the option: a missing or malformed path, both a path and a
 *   store or a store that is not an {@link ObjectStore}, a compression
 *   other than "" or "gzip" (the message lists the supported codecs), a negative or non-integer threshold.
 */
export function resolveObjectStorageOptions(
  input: StateStoreObjectStorageOptions | StoreBackendContext,
): ResolvedObjectStorageOptions {
  if (typeof input !== "object" || input === null) {
    throw new StateStoreError(
      "CONFIG_ERROR",
      `StateStoreObjectStorageBackend needs options ({ path, compression?, threshold? }) or the configuration ({ config }); ${PATH_OPTION} is not set`,
      { details: { option: PATH_OPTION } },
    );
  }
  if (isContext(input)) {
    const parsed = parseObjectStorageConfig(input.config[COMMON_IO_SECTION] ?? {});
    return {
      path: parseObjectStoragePath(parsed.path, PATH_OPTION),
      compression: parsed.compression,
      threshold: parsed.threshold,
      env: process.env,
      s3ClientConfig: {},
      azureClientOptions: {},
      now: () => new Date(),
      concurrency: 16,
    };
  }
  const concurrency = input.concurrency ?? 16;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new StateStoreError(
      "CONFIG_ERROR",
      `options.concurrency = ${String(concurrency)} must be an integer >= 1`,
      {
        details: { option: "concurrency" },
      },
    );
  }
  const { store } = input;
  if (store !== undefined && input.path !== undefined) {
    throw new StateStoreError(
      "CONFIG_ERROR",
      `options.path and options.store are both set; give the path of a built-in store or your own store, not both`,
      { details: { option: "store" } },
    );
  }
  if (store !== undefined && !isObjectStore(store)) {
    throw new StateStoreError(
      "CONFIG_ERROR",
      "options.store is not an ObjectStore: it needs description, refOf, objectKeyOfRef, put, get, head, deleteMany, list and close",
      { details: { option: "store" } },
    );
  }
  return {
    path:
      store === undefined
        ? parseObjectStoragePath(input.path, `options.path (${PATH_OPTION})`)
        : { scheme: "custom", base: store.description, store },
    compression: resolveCompression(input.compression, `options.compression (${COMPRESSION_OPTION})`),
    threshold: resolveThreshold(input.threshold, `options.threshold (${THRESHOLD_OPTION})`),
    env: input.env ?? process.env,
    s3ClientConfig: input.s3ClientConfig ?? {},
    azureClientOptions: input.azureClientOptions ?? {},
    now: input.now ?? (() => new Date()),
    concurrency,
  };
}
