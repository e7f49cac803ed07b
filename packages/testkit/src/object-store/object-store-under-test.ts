import type { Readable } from "node:stream";

/** Metadata of a stored object, as an object store gives it back. */
export interface ObjectStoreHead {
  /** User metadata as written (lower-case names). */
  readonly metadata: Readonly<Record<string, string>>;
  /** When the object was last written; null when the store does not say. */
  readonly lastModified: Date | null;
  /** Stored size in bytes; null when the store does not say. */
  readonly size: number | null;
}

/** An object being read: its metadata and its stored bytes. */
export interface ObjectStoreObject {
  /** Its metadata. */
  readonly head: ObjectStoreHead;
  /** The bytes as stored (gzip stays compressed): whole in a Buffer, or a stream. */
  readonly body: Buffer | Readable;
}

/**
 * The object store contract {@link objectStoreSuite} checks, declared structurally so that the testkit
 * needs no object-storage package: `ObjectStore` of `@tidemark/provider-common-io` is assignable to it.
 * See that interface for the full contract.
 */
export interface ObjectStoreUnderTest {
  /** The base URL every reference starts with, ending in "/"; holds no secret. */
  readonly description: string;
  /** The reference (full URL) of an object key. */
  refOf(objectKey: string): string;
  /** The object key of a reference, or undefined when it is not under the base. */
  objectKeyOfRef(ref: string): string | undefined;
  /** Writes an object atomically. */
  put(
    objectKey: string,
    object: {
      readonly body: Buffer;
      readonly contentType: string;
      readonly contentEncoding?: string | undefined;
      readonly metadata: Readonly<Record<string, string>>;
    },
  ): Promise<void>;
  /** Reads an object (bytes as stored), or null when it does not exist. */
  get(objectKey: string): Promise<ObjectStoreObject | null>;
  /** Reads an object's metadata, or null when it does not exist. */
  head(objectKey: string): Promise<ObjectStoreHead | null>;
  /** Deletes objects (missing ones skipped), only those `onlyIf` accepts when given; returns the count. */
  deleteMany(objectKeys: readonly string[], onlyIf?: (head: ObjectStoreHead) => boolean): Promise<number>;
  /** Lists object keys under a prefix ("" or ending in "/"), recursively, in pages of at most 1000. */
  list(prefix: string): AsyncIterable<string[]>;
  /** Releases clients and handles. */
  close(): Promise<void>;
}
