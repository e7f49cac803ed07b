import {
  type AssetScope,
  BaseStoreBackend,
  type CleanupOptions,
  type CleanupReport,
  type ClearOptions,
  compareKeys,
  DEFAULT_PAGE_LIMIT,
  type DeserializeFromRefArgs,
  decodeValue,
  defineStoreBackend,
  defineWorkerBackend,
  type JsonValue,
  type ListOptions,
  type ListResult,
  type SerializeToRefArgs,
  type SetOptions,
  StateStoreError,
  type StoreBackendCapabilities,
  type StoreEntry,
  type StoreScope,
  type TaskScope,
  utf8ByteLength,
  type WorkerBackendCapabilities,
  type WorkerStoreBackend,
} from "@tidemark/state";
import { mapLimit } from "./map-limit.js";
import { discardBody, encodeBody, readBody } from "./object-body.js";
import {
  decodeSegment,
  encodeKey,
  GZIP_SUFFIX,
  isHashedSegment,
  objectKeyOf,
  parseObjectKey,
  parseObjectName,
  scopePrefix,
  TASKS_ROOT,
} from "./object-layout.js";
import {
  EXPIRES_AT_METADATA,
  encodeKeyMetadata,
  expiresAtOf,
  isExpired,
  keyFromMetadata,
  STATE_KEY_METADATA,
} from "./object-metadata.js";
import {
  COMMON_IO_SECTION,
  type ObjectStorageCompression,
  type ObjectStorageConfig,
  parseObjectStorageConfig,
} from "./object-storage-config.js";
import {
  resolveObjectStorageOptions,
  type StateStoreObjectStorageOptions,
  type StoreBackendContext,
} from "./object-storage-options.js";
import type { ObjectHead, ObjectStore, StoredObject } from "./object-store.js";
import { objectStoreOf } from "./object-store-of-path.js";

const CONTENT_TYPE = "application/json";

function shortRef(ref: string): string {
  return JSON.stringify(ref.length > 300 ? `${ref.slice(0, 300)}…` : ref);
}

/** An object found while listing a scope, before its value is read. */
interface ListedKey {
  readonly key: string;
  readonly objectKey: string;
  readonly gzip: boolean;
}

/**
 * The object-storage state store backend for local files (`file://`), S3 (`s3://`), Azure Blob storage
 * (`az://`, `abfs://`) or your own {@link ObjectStore} (the `store` option), with optional gzip
 * compression and an inline threshold. Reference: `StateStoreObjectStorageBackend` of Airflow's
 * common.io provider (config section `[common.io]`, here `common_io`).
 *
 * Two roles, one class ({@link BaseStoreBackend} and `WorkerStoreBackend`), both loaded from the same
 * export through its static definitions:
 * - **worker backend** (`workers.state_store_backend =
 *   "@tidemark/provider-common-io#StateStoreObjectStorageBackend"`): the serialize hooks write values whose
 *   JSON text is at least `threshold` bytes to an object and return its reference (the full `file://`,
 *   `s3://` or `az://` URL, deterministic for scope and key); smaller values stay inline. The deserialize hooks read
 *   the object back. `delete` and `clear` remove the objects.
 * - **server backend** (`state_store.backend`): `get`/`set`/`delete`/`clear`/`list`/`getEntry`/`cleanup`
 *   work directly on the objects; `expiresAt` is kept as object metadata.
 *
 * Object layout under the base: `tasks/<dag_id>/<run_id>/<task_id>/<map_index>/<key>` and, by
 * `assetIdentity`, `asset-ids/<asset_id>/<key>` (server side) or `assets/<name or uri>/<key>` (worker
 * side), plus `.gz` when compressed; each segment percent-encoded (only `A-Za-z0-9_-` kept), long segments shortened with
 * a SHA-256. Expiry metadata: S3 user metadata `x-amz-meta-expires-at`, Azure blob metadata `expires_at`; for local files a header line in
 * front of the body (`\0tidemark-meta {json}\n`), written only when there is metadata.
 *
 * Capabilities: `expiry` (expired objects read as missing; `cleanup` deletes them), `listKeys` (`list`
 * reads every object's metadata in the scope), no `compareAndSet` (neither the local store nor S3
 * compatible stores such as s3rver offer an atomic conditional write), no `writerTracking`. As a server
 * backend it only stores: the state store core (`createStateStore`) validates keys and values and
 * refuses the options these capabilities lack before calling it.
 *
 * The AWS and Azure SDKs are imported on first S3 or Azure use only; the local store uses node:fs with atomic writes
 * (temporary file in the same directory, fsync, rename).
 */
export class StateStoreObjectStorageBackend extends BaseStoreBackend implements WorkerStoreBackend {
  /**
   * The definition `state_store.backend` loads (`@tidemark/provider-common-io#StateStoreObjectStorageBackend`):
   * it owns the `common_io` section, validated by {@link parseObjectStorageConfig}.
   */
  static readonly definition = defineStoreBackend({
    name: "common_io object storage",
    configSection: COMMON_IO_SECTION,
    parseConfig: parseObjectStorageConfig,
    create: (options: ObjectStorageConfig) => new StateStoreObjectStorageBackend(options),
  });

  /** The definition `workers.state_store_backend` loads (the same export name and section). */
  static readonly workerDefinition = defineWorkerBackend({
    name: "common_io object storage",
    configSection: COMMON_IO_SECTION,
    parseConfig: parseObjectStorageConfig,
    create: (options: ObjectStorageConfig) => new StateStoreObjectStorageBackend(options),
  });

  /** Offloads task state and asset state values at or above the threshold. */
  readonly workerCapabilities: WorkerBackendCapabilities = Object.freeze({
    taskState: true,
    assetState: true,
  });

  /** Expiry and list, no compare-and-set, no writer tracking (see the class documentation). */
  override readonly capabilities: StoreBackendCapabilities = Object.freeze({
    expiry: true,
    compareAndSet: false,
    listKeys: true,
    writerTracking: false,
  });

  /**
   * The normalized base URL, ending in "/": `file:///dir/`, `s3://[conn_id@]bucket/prefix/`,
   * `az://[conn_id@]container/prefix/` (or its `abfs://` spelling), or a custom store's `description`.
   */
  readonly base: string;
  /** The compression of new objects: "" (none) or "gzip". */
  readonly compression: ObjectStorageCompression;
  /** Values whose JSON text is smaller than this many UTF-8 bytes stay inline (worker hooks). */
  readonly threshold: number;

  readonly #store: ObjectStore;
  readonly #gzip: boolean;
  readonly #now: () => Date;
  readonly #concurrency: number;

  /**
   * @param options - explicit {@link StateStoreObjectStorageOptions}, or the whole configuration `{ config }`
   *   whose `common_io` section holds `state_store_objectstorage_path`, `…_compression` and `…_threshold`.
   * @throws StateStoreError `CONFIG_ERROR` naming the option: a missing or malformed path, an unsupported
   *   compression (the message lists "" and "gzip"), a negative threshold, or a connection
   *   `TIDEMARK_CONN_<CONN_ID>` that is missing or malformed (its value is never quoted).
   */
  constructor(options: StateStoreObjectStorageOptions | StoreBackendContext) {
    super();
    const resolved = resolveObjectStorageOptions(options);
    this.base = resolved.path.base;
    this.compression = resolved.compression;
    this.threshold = resolved.threshold;
    this.#gzip = resolved.compression === "gzip";
    this.#now = resolved.now;
    this.#concurrency = resolved.concurrency;
    this.#store = objectStoreOf(resolved);
  }

  /**
   * The reference of the object that holds `key` of `scope` with the current compression: what the
   * serialize hooks return. Deterministic: the same scope, key, base and compression give the same string.
   *
   * @returns the full URL (`file://`, `s3://`, `az://`, … as the base).
   * @throws StateStoreError `INVALID_KEY` / `INVALID_SCOPE` for a key or identifier that cannot name an
   *   object ("", ".", "..", lone surrogates, keys over 1536 UTF-8 bytes).
   */
  refFor(scope: StoreScope, key: string): string {
    return this.#store.refOf(objectKeyOf(scope, key, this.#gzip));
  }

  /** Writes `text` as the object of (scope, key) with the current compression; returns its object key. */
  async #write(scope: StoreScope, key: string, text: string, expiresAt: Date | null): Promise<string> {
    const objectKey = objectKeyOf(scope, key, this.#gzip);
    const metadata: Record<string, string> = {};
    if (expiresAt !== null) metadata[EXPIRES_AT_METADATA] = expiresAt.toISOString();
    if (isHashedSegment(encodeKey(key))) metadata[STATE_KEY_METADATA] = encodeKeyMetadata(key);
    const body = await encodeBody(text, this.#gzip);
    await this.#store.put(objectKey, {
      body,
      contentType: CONTENT_TYPE,
      contentEncoding: this.#gzip ? "gzip" : undefined,
      metadata,
    });
    return objectKey;
  }

  /** Both object keys a value may live under: the current compression's first, then the other's. */
  #variants(scope: StoreScope, key: string): [string, string] {
    return [objectKeyOf(scope, key, this.#gzip), objectKeyOf(scope, key, !this.#gzip)];
  }

  /**
   * Reads the live object of (scope, key): the current compression's object, or, when it does not exist,
   * the one written under the other setting (so changing the compression loses nothing). Expired task
   * state reads as missing (the object is left for `cleanup`: deleting on read would race with writers).
   */
  async #read(scope: StoreScope, key: string): Promise<{ text: string; head: ObjectHead } | null> {
    for (const objectKey of this.#variants(scope, key)) {
      const object = await this.#store.get(objectKey);
      if (object === null) continue;
      if (scope.kind === "task" && isExpired(object.head, this.#now())) {
        discardBody(object.body);
        return null;
      }
      const ref = this.#store.refOf(objectKey);
      const text = await readBody(object.body, objectKey.endsWith(GZIP_SUFFIX), ref, object.head.size);
      return { text, head: object.head };
    }
    return null;
  }

  /**
   * {@inheritDoc @tidemark/state!BaseStoreBackend.get}
   *
   * @throws StateStoreError `INVALID_KEY` / `INVALID_SCOPE`; `BACKEND_UNAVAILABLE` (endpoint down, bucket
   *   missing, disk failure) or `FORBIDDEN` (access denied), with the cause kept.
   */
  override async get(scope: StoreScope, key: string): Promise<string | null> {
    return (await this.#read(scope, key))?.text ?? null;
  }

  /**
   * As {@link BaseStoreBackend.getEntry}.
   *
   * `version` is null (objects carry no version); `updatedAt` is the object's last-modified time.
   */
  override async getEntry(scope: StoreScope, key: string): Promise<StoreEntry | null> {
    const found = await this.#read(scope, key);
    if (found === null) return null;
    return {
      key,
      value: found.text,
      version: null,
      updatedAt: found.head.lastModified,
      expiresAt: scope.kind === "task" ? expiresAtOf(found.head) : null,
    };
  }

  /**
   * As {@link BaseStoreBackend.set}.
   *
   * Writes the object atomically (a failed write leaves the previous value readable) while checking for a
   * copy written under the other compression setting; such a copy is removed once the write succeeded.
   * `expiresAt` is kept as object metadata for task state and ignored for asset state, which never expires.
   * Conditions never reach it: the core answers them `NOT_SUPPORTED` (no `compareAndSet`).
   *
   * @throws StateStoreError `INVALID_KEY` / `INVALID_SCOPE` for a key or scope that cannot name an
   *   object; `BACKEND_UNAVAILABLE` or `FORBIDDEN`.
   */
  override async set(scope: StoreScope, key: string, value: string, options: SetOptions = {}): Promise<void> {
    const expiresAt = scope.kind === "task" && options.expiresAt instanceof Date ? options.expiresAt : null;
    const [, other] = this.#variants(scope, key);
    // Look for a copy under the other compression setting while the write runs (one round trip instead of
    // two in a row), but delete it only after the write succeeded: when the compression setting changed,
    // that copy is the previous value, and a failed write must leave it readable. Both outcomes are awaited
    // before anything is reported, so a failure of either surfaces (the write's first).
    const [written, found] = await Promise.allSettled([
      this.#write(scope, key, value, expiresAt),
      this.#store.head(other),
    ]);
    if (written.status === "rejected") throw written.reason;
    if (found.status === "rejected") throw found.reason;
    if (found.value !== null) await this.#store.deleteMany([other]);
  }

  /**
   * As {@link BaseStoreBackend.delete}.
   *
   * Removes the object under both compression settings.
   */
  override async delete(scope: StoreScope, key: string): Promise<void> {
    await this.#store.deleteMany(this.#variants(scope, key));
  }

  /**
   * As {@link BaseStoreBackend.clear}.
   *
   * Lists the scope's prefix (S3: paginated ListObjectsV2; files: a directory walk) and deletes what it
   * finds (S3: DeleteObjects in batches of 1000). With `allMapIndices` the prefix stops after the task id
   * segment, so every map index of that task goes, and no other task (task "t" never matches "t2/").
   */
  override async clear(scope: StoreScope, options: ClearOptions = {}): Promise<void> {
    const prefix = scopePrefix(scope, scope.kind === "task" && options.allMapIndices === true);
    for await (const page of this.#store.list(prefix)) await this.#store.deleteMany(page);
  }

  /**
   * As {@link BaseStoreBackend.list}.
   *
   * Cost: one listing of the scope plus one metadata read per object of a task scope (for expiry) or per
   * hashed key (to recover the key), plus one read per returned entry. `nextCursor` is the last key of
   * the page (null on the last page and on an empty one), so a page after a cursor starts at the first
   * key after it, whatever was written or deleted meanwhile; `total` counts every matching live key.
   */
  override async list(scope: StoreScope, options: ListOptions = {}): Promise<ListResult> {
    const prefix = scopePrefix(scope);
    const byName = new Map<string, { objectKey: string; gzip: boolean }>();
    for await (const page of this.#store.list(prefix)) {
      for (const objectKey of page) {
        const rest = objectKey.slice(prefix.length);
        const name = rest.includes("/") ? undefined : parseObjectName(rest);
        if (name === undefined) continue;
        const seen = byName.get(name.keySegment);
        // Prefer the copy under the current compression setting, as get does.
        if (seen === undefined || name.gzip === this.#gzip)
          byName.set(name.keySegment, { objectKey, ...name });
      }
    }
    const now = this.#now();
    const candidates = await mapLimit([...byName.entries()], this.#concurrency, async ([segment, found]) => {
      let key = decodeSegment(segment);
      if (key === undefined || scope.kind === "task") {
        const head = await this.#store.head(found.objectKey);
        if (head === null || (scope.kind === "task" && isExpired(head, now))) return undefined;
        key ??= keyFromMetadata(head);
      }
      return key === undefined ? undefined : ({ key, ...found } satisfies ListedKey);
    });
    const wanted = options.prefix ?? "";
    const live = candidates
      .filter((c): c is ListedKey => c?.key.startsWith(wanted) === true)
      .sort((a, b) => compareKeys(a.key, b.key));
    const cursor = options.cursor;
    const from =
      cursor === undefined ? (options.offset ?? 0) : live.findIndex((c) => compareKeys(c.key, cursor) > 0);
    const start = from < 0 ? live.length : from;
    const page = live.slice(start, start + (options.limit ?? DEFAULT_PAGE_LIMIT));
    const last = page.at(-1);
    const nextCursor = last !== undefined && start + page.length < live.length ? last.key : null;
    const entries = await mapLimit(page, this.#concurrency, async (c): Promise<StoreEntry | undefined> => {
      const object = await this.#store.get(c.objectKey);
      if (object === null) return undefined;
      const text = await readBody(object.body, c.gzip, this.#store.refOf(c.objectKey), object.head.size);
      return {
        key: c.key,
        value: text,
        version: null,
        updatedAt: object.head.lastModified,
        expiresAt: scope.kind === "task" ? expiresAtOf(object.head) : null,
      };
    });
    return {
      entries: entries.filter((e): e is StoreEntry => e !== undefined),
      total: live.length,
      nextCursor,
    };
  }

  /**
   * As {@link BaseStoreBackend.cleanup}.
   *
   * Walks every task state object (asset state never expires), reads its metadata and deletes the
   * expired ones. Local files are re-checked atomically at deletion (a value rewritten meanwhile stays);
   * on S3 an object rewritten between its metadata read and the batch delete can be removed. Then it
   * deletes every object of `options.inactiveAssets` (the metastore knows which assets were deactivated;
   * the state store core passes them), under the layout `assetIdentity` gives their scopes.
   *
   * The report is `{ dryRun, deleted: { objects: n, asset_objects: m }, durationMs }` where n counts expired
   *   objects and m (only when `inactiveAssets` is given) the objects of inactive assets, deleted or, in a
   *   dry run, found.
   */
  override async cleanup(options: CleanupOptions = {}): Promise<CleanupReport> {
    const started = Date.now();
    const dryRun = options.dryRun ?? false;
    const now = this.#now();
    const stillExpired = (head: ObjectHead) => isExpired(head, now);
    let count = 0;
    for await (const page of this.#store.list(`${TASKS_ROOT}/`)) {
      const owned = page.filter((objectKey) => parseObjectKey(objectKey) !== undefined);
      const expired = (
        await mapLimit(owned, this.#concurrency, async (objectKey) => {
          const head = await this.#store.head(objectKey);
          return head !== null && stillExpired(head) ? objectKey : undefined;
        })
      ).filter((k): k is string => k !== undefined);
      if (expired.length > 0) {
        count += dryRun ? expired.length : await this.#store.deleteMany(expired, stillExpired);
      }
      options.onProgress?.({ phase: "objects", done: count, total: null });
    }
    const deleted: Record<string, number> = { objects: count };
    if (options.inactiveAssets !== undefined) {
      let orphaned = 0;
      for (const asset of options.inactiveAssets) {
        for await (const page of this.#store.list(scopePrefix(asset))) {
          const owned = page.filter((objectKey) => parseObjectKey(objectKey) !== undefined);
          orphaned += dryRun || owned.length === 0 ? owned.length : await this.#store.deleteMany(owned);
          options.onProgress?.({ phase: "asset_objects", done: orphaned, total: null });
        }
      }
      deleted.asset_objects = orphaned;
    }
    return { dryRun, deleted, durationMs: Date.now() - started };
  }

  /** Releases the store's client (nothing to release for local files). */
  override async close(): Promise<void> {
    await this.#store.close();
  }

  /**
   * Worker hook: offloads a task state value whose JSON text is at least `threshold` UTF-8 bytes.
   *
   * @param args - `text` (the JSON text), `key`, `scope` (a TaskScope).
   * @returns null when `text` is smaller than the threshold (stays inline), else the object's reference
   *   (see {@link refFor}), written with Content-Type application/json (Content-Encoding gzip when
   *   compressed).
   * @throws StateStoreError `INVALID_KEY` / `INVALID_SCOPE`; `BACKEND_UNAVAILABLE` / `FORBIDDEN` when the
   *   write fails (the previous object stays readable).
   */
  async serializeTaskStateStoreToRef(args: SerializeToRefArgs<TaskScope>): Promise<string | null> {
    return this.#offload(args);
  }

  /** Worker hook: as {@link serializeTaskStateStoreToRef}, for asset state (addressed by name or uri). */
  async serializeAssetStateStoreToRef(args: SerializeToRefArgs<AssetScope>): Promise<string | null> {
    return this.#offload(args);
  }

  /**
   * Worker hook: reads the task state value a reference points to.
   *
   * @param ref - a reference returned by {@link serializeTaskStateStoreToRef}.
   * @param _where - the scope and key it was read from; the reference alone names the object.
   * @returns the decoded value.
   * @throws StateStoreError `INVALID_VALUE` for a reference that is not a task state object under this
   *   backend's base (another base, a path escaping it, a malformed segment) or a corrupt object;
   *   `NOT_FOUND`, with the reference in the message, when the object does not exist.
   */
  async deserializeTaskStateStoreFromRef(
    ref: string,
    _where?: DeserializeFromRefArgs<TaskScope>,
  ): Promise<JsonValue> {
    return decodeValue(await this.#readRef(ref, "task"));
  }

  /** Worker hook: as {@link deserializeTaskStateStoreFromRef}, for asset state. */
  async deserializeAssetStateStoreFromRef(
    ref: string,
    _where?: DeserializeFromRefArgs<AssetScope>,
  ): Promise<JsonValue> {
    return decodeValue(await this.#readRef(ref, "asset"));
  }

  // The state store core hands the hooks validated text of the scope's own kind.
  async #offload(args: SerializeToRefArgs<StoreScope>): Promise<string | null> {
    const { key, scope, text } = args;
    const objectKey = objectKeyOf(scope, key, this.#gzip); // validates before the threshold decides
    if (utf8ByteLength(text) < this.threshold) return null;
    await this.#write(scope, key, text, null);
    return this.#store.refOf(objectKey);
  }

  async #readRef(stored: string, kind: "task" | "asset"): Promise<string> {
    const objectKey =
      typeof stored === "string" && stored !== "" ? this.#store.objectKeyOfRef(stored) : undefined;
    const parsed = objectKey === undefined ? undefined : parseObjectKey(objectKey);
    if (objectKey === undefined || parsed?.kind !== kind) {
      throw new StateStoreError(
        "INVALID_VALUE",
        `state reference ${typeof stored === "string" ? shortRef(stored) : String(stored)} is not a ${kind} state object under this backend's base ${this.base} (common_io.state_store_objectstorage_path); it was written by another backend or base, or it was tampered with`,
        { details: { base: this.base } },
      );
    }
    const object: StoredObject | null = await this.#store.get(objectKey);
    if (object === null) {
      throw new StateStoreError(
        "NOT_FOUND",
        `the object ${shortRef(stored)} that the stored state reference points to does not exist (deleted outside Tidemark, or the bucket or directory changed); delete the key or write it again`,
        { details: { ref: stored } },
      );
    }
    return readBody(object.body, parsed.gzip, stored, object.head.size);
  }
}

/**
 * Builds a {@link StateStoreObjectStorageBackend}: the provider convention's `createX(options)` factory.
 *
 * @param options - explicit options (`path`, `compression`, `threshold`, `env`, `s3ClientConfig`, `now`,
 *   `concurrency`, `azureClientOptions`, or `store` instead of `path` for your own {@link ObjectStore}) or
 *   the whole configuration `{ config }`.
 * @returns the backend; nothing is contacted until the first operation.
 * @throws StateStoreError `CONFIG_ERROR` as the constructor.
 */
export function createStateStoreObjectStorageBackend(
  options: StateStoreObjectStorageOptions | StoreBackendContext,
): StateStoreObjectStorageBackend {
  return new StateStoreObjectStorageBackend(options);
}

// The factory names the same definitions as the class, so `module#createStateStoreObjectStorageBackend`
// loads too.
/** {@link StateStoreObjectStorageBackend.definition}, for `state_store.backend`. */
createStateStoreObjectStorageBackend.definition = StateStoreObjectStorageBackend.definition;
/** {@link StateStoreObjectStorageBackend.workerDefinition}, for `workers.state_store_backend`. */
createStateStoreObjectStorageBackend.workerDefinition = StateStoreObjectStorageBackend.workerDefinition;
