import type { Readable } from "node:stream";
import type { S3Client, S3ClientConfig } from "@aws-sdk/client-s3";
import { StateStoreError } from "@tidemark/state";
import type { ObjectHead, ObjectStore, PutObject, StoredObject } from "./object-store.js";
import { PrefixedObjectStore } from "./prefixed-object-store.js";
import { connectionSecrets, describeEndpoint, type S3Connection } from "./s3-connection.js";
import { s3Error } from "./store-errors.js";

type S3Sdk = typeof import("@aws-sdk/client-s3");

/** Most keys per DeleteObjects request and per ListObjectsV2 page (the S3 API's limits). */
const BATCH = 1000;

/** Where an {@link S3ObjectStore} keeps its objects. */
export interface S3Location {
  /** The normalized base URL, `s3://[conn_id@]bucket/prefix/`. */
  readonly base: string;
  readonly bucket: string;
  /** Key prefix, empty or ending in "/". */
  readonly prefix: string;
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

function isMissingObject(error: unknown): boolean {
  const name = error instanceof Error ? error.name : "";
  return name === "NoSuchKey" || name === "NotFound" || (statusOf(error) === 404 && name !== "NoSuchBucket");
}

/**
 * Builds the S3 client configuration of a connection: credentials when the connection has them (else the
 * SDK's default chain), endpoint and path style for S3-compatible stores, and checksums only when
 * required against a custom endpoint (many S3-compatible stores reject the SDK's newer default checksums).
 * `overrides` are merged last.
 */
export function s3ClientConfigOf(
  connection: S3Connection,
  env: Readonly<Record<string, string | undefined>>,
  overrides: Partial<S3ClientConfig>,
): S3ClientConfig {
  const config: S3ClientConfig = {};
  const custom = connection.endpointUrl !== undefined;
  const region =
    connection.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? (custom ? "us-east-1" : undefined);
  if (region !== undefined) config.region = region;
  if (custom) config.endpoint = connection.endpointUrl;
  if (connection.forcePathStyle !== undefined) config.forcePathStyle = connection.forcePathStyle;
  if (connection.accessKeyId !== undefined && connection.secretAccessKey !== undefined) {
    config.credentials = {
      accessKeyId: connection.accessKeyId,
      secretAccessKey: connection.secretAccessKey,
      ...(connection.sessionToken === undefined ? {} : { sessionToken: connection.sessionToken }),
    };
  }
  const requestChecksum = connection.requestChecksumCalculation ?? (custom ? "WHEN_REQUIRED" : undefined);
  const responseChecksum = connection.responseChecksumValidation ?? (custom ? "WHEN_REQUIRED" : undefined);
  if (requestChecksum !== undefined) config.requestChecksumCalculation = requestChecksum;
  if (responseChecksum !== undefined) config.responseChecksumValidation = responseChecksum;
  return { ...config, ...overrides };
}

/**
 * Internal: an {@link ObjectStore} on an S3 bucket (or an S3-compatible store) through
 * `@aws-sdk/client-s3`, which is imported on first use so that file:// users never load it.
 *
 * A PUT replaces an object atomically. Deletes go in DeleteObjects batches of 1000; `onlyIf` is not
 * re-checked at delete time (S3 offers no portable conditional delete), so cleanup can remove an object
 * rewritten between its HEAD and the batch delete.
 */
export class S3ObjectStore extends PrefixedObjectStore implements ObjectStore {
  readonly #location: S3Location;
  readonly #connection: S3Connection;
  readonly #config: S3ClientConfig;
  readonly #secrets: string[];
  #client: Promise<{ sdk: S3Sdk; client: S3Client }> | undefined;

  /**
   * @param location - bucket, prefix and base URL.
   * @param connection - the resolved connection (credentials, endpoint, region).
   * @param config - the S3 client configuration ({@link s3ClientConfigOf}).
   */
  constructor(location: S3Location, connection: S3Connection, config: S3ClientConfig) {
    super(location.base, location.prefix);
    this.#location = location;
    this.#connection = connection;
    this.#config = config;
    this.#secrets = connectionSecrets(connection);
  }

  async #sdk(): Promise<{ sdk: S3Sdk; client: S3Client }> {
    if (this.#client === undefined) {
      this.#client = (async () => {
        const sdk = await import("@aws-sdk/client-s3");
        return { sdk, client: new sdk.S3Client(this.#config) };
      })();
      this.#client.catch(() => {
        this.#client = undefined;
      });
    }
    try {
      return await this.#client;
    } catch (cause) {
      throw new StateStoreError(
        "CONFIG_ERROR",
        `the S3 client could not be loaded (${cause instanceof Error ? cause.message : String(cause)}); install @aws-sdk/client-s3 with @tidemark/provider-common-io`,
        { cause },
      );
    }
  }

  #error(cause: unknown, operation: string, target: string): StateStoreError {
    if (cause instanceof StateStoreError) return cause;
    return s3Error(cause, {
      operation,
      target,
      bucket: this.#location.bucket,
      endpoint: describeEndpoint(this.#connection.endpointUrl),
      connectionVariable: this.#connection.variable,
      secrets: this.#secrets,
    });
  }

  async put(objectKey: string, object: PutObject): Promise<void> {
    const { sdk, client } = await this.#sdk();
    try {
      await client.send(
        new sdk.PutObjectCommand({
          Bucket: this.#location.bucket,
          Key: this.nameOf(objectKey),
          Body: object.body,
          ContentLength: object.body.length,
          ContentType: object.contentType,
          ...(object.contentEncoding === undefined ? {} : { ContentEncoding: object.contentEncoding }),
          Metadata: { ...object.metadata },
        }),
      );
    } catch (cause) {
      throw this.#error(cause, "write", this.refOf(objectKey));
    }
  }

  async get(objectKey: string): Promise<StoredObject | null> {
    const { sdk, client } = await this.#sdk();
    try {
      const response = await client.send(
        new sdk.GetObjectCommand({ Bucket: this.#location.bucket, Key: this.nameOf(objectKey) }),
      );
      return {
        head: {
          metadata: response.Metadata ?? {},
          lastModified: response.LastModified ?? null,
          size: response.ContentLength ?? null,
        },
        body: response.Body as Readable,
      };
    } catch (cause) {
      if (isMissingObject(cause)) return null;
      throw this.#error(cause, "read", this.refOf(objectKey));
    }
  }

  async head(objectKey: string): Promise<ObjectHead | null> {
    const { sdk, client } = await this.#sdk();
    try {
      const response = await client.send(
        new sdk.HeadObjectCommand({ Bucket: this.#location.bucket, Key: this.nameOf(objectKey) }),
      );
      return {
        metadata: response.Metadata ?? {},
        lastModified: response.LastModified ?? null,
        size: response.ContentLength ?? null,
      };
    } catch (cause) {
      if (isMissingObject(cause)) return null;
      throw this.#error(cause, "read the metadata of", this.refOf(objectKey));
    }
  }

  async deleteMany(objectKeys: readonly string[]): Promise<number> {
    if (objectKeys.length === 0) return 0;
    const { sdk, client } = await this.#sdk();
    for (let start = 0; start < objectKeys.length; start += BATCH) {
      const batch = objectKeys.slice(start, start + BATCH);
      let response: { Errors?: { Key?: string; Code?: string; Message?: string }[] };
      try {
        response = await client.send(
          new sdk.DeleteObjectsCommand({
            Bucket: this.#location.bucket,
            Delete: { Objects: batch.map((k) => ({ Key: this.nameOf(k) })), Quiet: true },
          }),
        );
      } catch (cause) {
        throw this.#error(cause, "delete", `${batch.length} object(s) under ${this.#location.base}`);
      }
      const failed = (response.Errors ?? []).filter((e) => e.Code !== "NoSuchKey");
      const first = failed[0];
      if (first !== undefined) {
        const cause = Object.assign(new Error(first.Message ?? first.Code ?? "delete failed"), {
          name: first.Code ?? "DeleteFailed",
        });
        throw this.#error(
          cause,
          "delete",
          `${failed.length} of ${batch.length} object(s), first ${this.#location.base}${(first.Key ?? "").slice(this.#location.prefix.length)}`,
        );
      }
    }
    return objectKeys.length;
  }

  async *list(prefix: string): AsyncIterable<string[]> {
    const { sdk, client } = await this.#sdk();
    let token: string | undefined;
    do {
      let response: { Contents?: { Key?: string }[]; IsTruncated?: boolean; NextContinuationToken?: string };
      try {
        response = await client.send(
          new sdk.ListObjectsV2Command({
            Bucket: this.#location.bucket,
            Prefix: this.nameOf(prefix),
            MaxKeys: BATCH,
            ...(token === undefined ? {} : { ContinuationToken: token }),
          }),
        );
      } catch (cause) {
        throw this.#error(cause, "list", this.refOf(prefix));
      }
      const page: string[] = [];
      for (const item of response.Contents ?? []) {
        const objectKey = this.objectKeyOfName(item.Key);
        if (objectKey !== undefined) page.push(objectKey);
      }
      if (page.length > 0) yield page;
      token = response.IsTruncated ? response.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    if (client !== undefined) {
      const loaded = await client.catch(() => undefined);
      loaded?.client.destroy();
    }
  }
}
