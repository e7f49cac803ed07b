import type { Readable } from "node:stream";

/**
 * Internal: the few object operations the backend needs, implemented once for local files
 * (`file-object-store.ts`) and once for S3 (`s3-object-store.ts`). Object keys are relative to the
 * store's base and use "/" between segments; the backend's layout guarantees every segment is canonical,
 * so a store never sees "", ".", ".." or a backslash.
 *
 * Every method throws a `StateStoreError` (`BACKEND_UNAVAILABLE`, `FORBIDDEN`, `CONFIG_ERROR`) when the
 * store fails, with the cause kept and no secret in the message. A missing object is not an error: reads
 * return null and deletes do nothing.
 */
export interface ObjectStore {
  /** The base, for messages (`file:///dir/` or `s3://conn@bucket/prefix/`); holds no secret. */
  readonly description: string;

  /** The reference (full URL) of an object key. */
  refOf(objectKey: string): string;

  /**
   * The object key of a reference, or undefined when the reference is not under this store's base
   * (another scheme, bucket, prefix or directory, or a path escaping the base).
   */
  objectKeyOfRef(ref: string): string | undefined;

  /** Writes an object atomically: readers see the previous object or the new one, never a mix. */
  put(objectKey: string, object: PutObject): Promise<void>;

  /**
   * Reads an object, or null when it does not exist. A stream `body` must be consumed or destroyed by the
   * caller (`discardBody`).
   */
  get(objectKey: string): Promise<StoredObject | null>;

  /** Reads an object's metadata, or null when it does not exist. */
  head(objectKey: string): Promise<ObjectHead | null>;

  /**
   * Deletes objects; missing ones are skipped.
   *
   * @param objectKeys - any number; stores batch them (S3: 1000 per DeleteObjects).
   * @param onlyIf - when given, an object is deleted only if this still holds for its metadata at the time
   *   of deletion (as close to atomically as the store allows; see each store).
   * @returns how many objects were deleted (or, on S3, requested for deletion).
   */
  deleteMany(objectKeys: readonly string[], onlyIf?: (head: ObjectHead) => boolean): Promise<number>;

  /** Lists object keys under `prefix` (ending in "/"), in pages of at most 1000, recursively. */
  list(prefix: string): AsyncIterable<string[]>;

  /** Releases clients and handles. */
  close(): Promise<void>;
}

/** What {@link ObjectStore.put} writes. */
export interface PutObject {
  /** The bytes, already compressed when `contentEncoding` is gzip. */
  readonly body: Buffer;
  /** Always `application/json` for state values. */
  readonly contentType: string;
  /** `gzip` for compressed objects. */
  readonly contentEncoding?: string | undefined;
  /** User metadata: lower-case names, ASCII values (S3 `x-amz-meta-*`). */
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
  readonly head: ObjectHead;
  /**
   * The stored bytes (still compressed for gzip objects): whole in a Buffer when the store read them in
   * one go (local files up to a size limit), else a stream.
   */
  readonly body: Buffer | Readable;
}
