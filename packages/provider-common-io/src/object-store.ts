import type { Readable } from "node:stream";

/**
 * The object I/O the object-storage backend needs: the seam for another object store (GCS, an
 * in-house service, …). Implemented by the built-in stores for local files (`file://`), S3 (`s3://`) and
 * Azure Blob storage (`az://`, `abfs://`); plug one in with the `store` option of
 * `createStateStoreObjectStorageBackend`. A store does I/O only: the object layout, compression, the
 * inline threshold, expiry and the refusal of references outside the base stay in the backend. Check an
 * implementation with `objectStoreSuite` from `@tidemark/testkit/object-store`.
 *
 * Object keys are relative to the store's base and use "/" between segments; the backend's layout
 * guarantees every segment is canonical, so a store never sees "", ".", ".." or a backslash.
 *
 * Every method throws a `StateStoreError` when the store fails: `BACKEND_UNAVAILABLE` (endpoint down,
 * bucket or container missing, any other service failure), `FORBIDDEN` (denied access, bad credentials) or
 * `CONFIG_ERROR` (no credentials, an SDK that cannot be loaded), with the cause kept and no secret in the
 * message. A missing object is not an error: reads return null and deletes skip it.
 */
export interface ObjectStore {
  /**
   * The base URL, ending in "/", that every reference of this store starts with (`file:///dir/`,
   * `s3://conn@bucket/prefix/`); used in messages and as the backend's `base`, so it holds no secret.
   */
  readonly description: string;

  /**
   * The reference (full URL) of an object key: what the backend's worker hooks hand out.
   *
   * @param objectKey - a key relative to the base.
   * @returns a URL under {@link ObjectStore.description}, deterministic for the key.
   */
  refOf(objectKey: string): string;

  /**
   * The object key of a reference: the inverse of {@link ObjectStore.refOf}.
   *
   * @param ref - a reference, possibly from another store or tampered with.
   * @returns the key, or undefined when the reference is not under this store's base (another scheme,
   *   bucket, prefix or directory, the base itself, or a path escaping the base).
   */
  objectKeyOfRef(ref: string): string | undefined;

  /**
   * Writes an object atomically: readers see the previous object or the new one, never a mix, and a
   * failed write leaves the previous object readable.
   *
   * @param objectKey - a key relative to the base.
   * @param object - the bytes, content type, content encoding and user metadata.
   */
  put(objectKey: string, object: PutObject): Promise<void>;

  /**
   * Reads an object.
   *
   * @param objectKey - a key relative to the base.
   * @returns its metadata and bytes (as stored: a gzip body stays compressed), or null when it does not
   *   exist. A stream `body` must be consumed or destroyed by the caller.
   */
  get(objectKey: string): Promise<StoredObject | null>;

  /**
   * Reads an object's metadata.
   *
   * @param objectKey - a key relative to the base.
   * @returns the metadata, or null when the object does not exist.
   */
  head(objectKey: string): Promise<ObjectHead | null>;

  /**
   * Deletes objects; missing ones are skipped.
   *
   * @param objectKeys - any number; stores batch them (S3: 1000 per DeleteObjects).
   * @param onlyIf - when given, an object is deleted only if this still holds for its metadata at the time
   *   of deletion, as close to atomically as the store allows (files: checked after an atomic rename;
   *   Azure: an ETag condition; S3 does not re-check, the backend checked just before).
   * @returns how many objects were deleted (on S3: requested for deletion).
   */
  deleteMany(objectKeys: readonly string[], onlyIf?: (head: ObjectHead) => boolean): Promise<number>;

  /**
   * Lists object keys under a prefix, recursively.
   *
   * @param prefix - "" for everything, else a key prefix ending in "/".
   * @returns pages of at most 1000 keys (relative to the base, in no particular order), none empty.
   */
  list(prefix: string): AsyncIterable<string[]>;

  /** Releases clients and handles; the store is not used afterwards. */
  close(): Promise<void>;
}

/** What {@link ObjectStore.put} writes. */
export interface PutObject {
  /** The bytes, already compressed when `contentEncoding` is gzip. */
  readonly body: Buffer;
  /** Always `application/json` for state values. */
  readonly contentType: string;
  /** `gzip` for compressed objects; a store keeps the bytes as they are (no transparent inflating). */
  readonly contentEncoding?: string | undefined;
  /**
   * User metadata. Names are lower-case ASCII letters, digits and "-", starting with a letter; values
   * printable ASCII. Stores map names to what the service allows (S3 `x-amz-meta-*`; Azure allows no "-",
   * so it stores "_") and give them back as written.
   */
  readonly metadata: Readonly<Record<string, string>>;
}

/** Metadata of a stored object. */
export interface ObjectHead {
  /** User metadata as written (lower-case names). */
  readonly metadata: Readonly<Record<string, string>>;
  /** When the object was last written, UTC; null when the store does not say. */
  readonly lastModified: Date | null;
  /** Stored size in bytes (compressed size for gzip objects), without any local metadata header. */
  readonly size: number | null;
}

/** An object being read. */
export interface StoredObject {
  /** Its metadata. */
  readonly head: ObjectHead;
  /**
   * The stored bytes (still compressed for gzip objects): whole in a Buffer when the store read them in
   * one go (local files up to a size limit), else a stream.
   */
  readonly body: Buffer | Readable;
}
