import type { Readable } from "node:stream";
import type { ContainerClient, StoragePipelineOptions } from "@azure/storage-blob";
import { StateStoreError } from "@tidemark/state";
import { type AzureConnection, azureConnectionSecrets, connectionStringField } from "./azure-connection.js";
import { mapLimit } from "./map-limit.js";
import type { ObjectHead, ObjectStore, PutObject, StoredObject } from "./object-store.js";
import { PrefixedObjectStore } from "./prefixed-object-store.js";
import { azureError, azureErrorCode } from "./store-errors.js";

/** Most blobs per listing page (the service's limit) and deletes in flight at once. */
const PAGE = 1000;
const DELETE_CONCURRENCY = 16;

/**
 * Retries as the AWS SDK's standard mode does (3 attempts, short backoff) rather than the Azure SDK's
 * default (4 attempts from 4 s), so an unreachable endpoint fails a state store call in seconds.
 */
const DEFAULT_RETRY: StoragePipelineOptions["retryOptions"] = {
  maxTries: 3,
  retryDelayInMs: 200,
  maxRetryDelayInMs: 2000,
};

/** Where an {@link AzureObjectStore} keeps its blobs. */
export interface AzureLocation {
  /** The normalized base URL (`az://[conn_id@]container/prefix/` or an `abfs://` spelling). */
  readonly base: string;
  readonly container: string;
  /** The account named by the path's host (`abfs://container@account.dfs.core.windows.net/`). */
  readonly account: string | undefined;
  /** Blob name prefix, empty or ending in "/". */
  readonly prefix: string;
}

/** Azure metadata names are C# identifiers: the backend's "-" is stored as "_" and given back as "-". */
function toAzureMetadata(metadata: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata)) out[name.replace(/-/g, "_")] = value;
  return out;
}

function fromAzureMetadata(metadata: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata ?? {}))
    out[name.toLowerCase().replace(/_/g, "-")] = value;
  return out;
}

function isMissingBlob(error: unknown): boolean {
  return (
    (error as { statusCode?: unknown } | undefined)?.statusCode === 404 &&
    azureErrorCode(error) !== "ContainerNotFound"
  );
}

/**
 * The blob service endpoint of a connection, without any SAS token or key, for messages and spans.
 *
 * @returns the URL, or undefined when the connection names no account (then the store fails with a
 *   `CONFIG_ERROR` on first use).
 */
export function azureEndpointOf(connection: AzureConnection, location: AzureLocation): string | undefined {
  const text = connection.connectionString;
  if (text !== undefined) {
    const endpoint = connectionStringField(text, "BlobEndpoint");
    if (endpoint !== undefined) return endpoint.replace(/\?.*$/, "").replace(/\/$/, "");
    const name = connectionStringField(text, "AccountName");
    if (/^UseDevelopmentStorage=true/i.test(text)) return "http://127.0.0.1:10000/devstoreaccount1";
    if (name === undefined) return undefined;
    const protocol = connectionStringField(text, "DefaultEndpointsProtocol") ?? "https";
    const suffix = connectionStringField(text, "EndpointSuffix") ?? "core.windows.net";
    return `${protocol}://${name}.blob.${suffix}`;
  }
  if (connection.sasToken?.startsWith("https://"))
    return connection.sasToken.replace(/\?.*$/, "").replace(/\/$/, "");
  if (connection.accountUrl !== undefined) {
    try {
      const url = new URL(connection.accountUrl);
      return url.origin + url.pathname.replace(/\/$/, "");
    } catch {
      return "the configured account URL";
    }
  }
  const account = connection.accountName ?? location.account;
  return account === undefined ? undefined : `https://${account}.blob.core.windows.net`;
}

/**
 * Internal: an {@link ObjectStore} on an Azure Blob storage container through `@azure/storage-blob`,
 * imported on first use so that other users never load it (`@azure/identity` likewise, and only when the
 * connection has no key, SAS token or connection string).
 *
 * A put is one Put Blob request (`uploadData` of a buffer under the SDK's single-shot limit), which
 * replaces a blob atomically. Deletes go one request per blob, 16 at a time; with `onlyIf` each blob's
 * properties are read, checked, and the delete is sent with that ETag as an `If-Match` condition, so a
 * blob rewritten in between is kept. Metadata names are stored with "_" for "-" (Azure allows only
 * C# identifiers).
 */
export class AzureObjectStore extends PrefixedObjectStore implements ObjectStore {
  /** The blob service endpoint (no secret), or undefined when no account is known. */
  readonly endpoint: string | undefined;
  readonly #location: AzureLocation;
  readonly #connection: AzureConnection;
  readonly #options: StoragePipelineOptions;
  readonly #secrets: string[];
  #client: Promise<ContainerClient> | undefined;

  /**
   * @param location - container, prefix and base URL.
   * @param connection - the resolved connection (connection string, key, SAS token or none).
   * @param options - extra pipeline options merged over the defaults (for example `retryOptions`).
   */
  constructor(
    location: AzureLocation,
    connection: AzureConnection,
    options: Partial<StoragePipelineOptions> = {},
  ) {
    super(location.base, location.prefix);
    this.#location = location;
    this.#connection = connection;
    this.#options = { retryOptions: DEFAULT_RETRY, ...options };
    this.#secrets = azureConnectionSecrets(connection);
    this.endpoint = azureEndpointOf(connection, location);
  }

  async #open(): Promise<ContainerClient> {
    let sdk: typeof import("@azure/storage-blob");
    try {
      sdk = await import("@azure/storage-blob");
    } catch (cause) {
      throw new StateStoreError(
        "CONFIG_ERROR",
        `the Azure Blob client could not be loaded (${cause instanceof Error ? cause.message : String(cause)}); install @azure/storage-blob with @tidemark/provider-common-io`,
        { cause },
      );
    }
    const c = this.#connection;
    const where = c.variable === undefined ? "AZURE_STORAGE_ACCOUNT_NAME" : `the connection ${c.variable}`;
    if (c.connectionString !== undefined) {
      try {
        return sdk.BlobServiceClient.fromConnectionString(
          c.connectionString,
          this.#options,
        ).getContainerClient(this.#location.container);
      } catch (cause) {
        throw new StateStoreError(
          "CONFIG_ERROR",
          `the Azure storage connection string of ${where} is invalid (${cause instanceof Error ? cause.message.split("\n")[0] : "unreadable"}); copy it from the storage account's access keys`,
          { cause, details: { variable: c.variable ?? null } },
        );
      }
    }
    const account = c.accountName ?? this.#location.account;
    if (c.sasToken?.startsWith("https://")) {
      return new sdk.BlobServiceClient(
        c.sasToken,
        new sdk.AnonymousCredential(),
        this.#options,
      ).getContainerClient(this.#location.container);
    }
    if (this.endpoint === undefined) {
      throw new StateStoreError(
        "CONFIG_ERROR",
        `object storage ${this.#location.base} names no storage account: set account_name (the login) or account_url in ${where}, or use abfs://container@ACCOUNT.dfs.core.windows.net/prefix/`,
        { details: { option: "common_io.state_store_objectstorage_path", variable: c.variable ?? null } },
      );
    }
    const url = c.accountUrl ?? this.endpoint;
    if (c.sasToken !== undefined) {
      const sas = c.sasToken.replace(/^\?/, "");
      return new sdk.BlobServiceClient(
        `${url}?${sas}`,
        new sdk.AnonymousCredential(),
        this.#options,
      ).getContainerClient(this.#location.container);
    }
    if (c.accountKey !== undefined) {
      if (account === undefined) {
        throw new StateStoreError(
          "CONFIG_ERROR",
          `${where} has an account key but no account name: set account_name (the login) beside it`,
          { details: { variable: c.variable ?? null } },
        );
      }
      let credential: InstanceType<typeof sdk.StorageSharedKeyCredential>;
      try {
        credential = new sdk.StorageSharedKeyCredential(account, c.accountKey);
      } catch (cause) {
        throw new StateStoreError("CONFIG_ERROR", `the account key of ${where} is not valid base64`, {
          cause,
          details: { variable: c.variable ?? null },
        });
      }
      return new sdk.BlobServiceClient(url, credential, this.#options).getContainerClient(
        this.#location.container,
      );
    }
    let identity: typeof import("@azure/identity");
    try {
      identity = await import("@azure/identity");
    } catch (cause) {
      throw new StateStoreError(
        "CONFIG_ERROR",
        `object storage ${this.#location.base} has no account key, SAS token or connection string, and @azure/identity (for the default Azure credential chain) could not be loaded (${cause instanceof Error ? cause.message.split("\n")[0] : String(cause)}); install @azure/identity beside @tidemark/provider-common-io, or set the credentials in ${where === "AZURE_STORAGE_ACCOUNT_NAME" ? "TIDEMARK_CONN_<CONN_ID> or AZURE_STORAGE_*" : where}`,
        { cause },
      );
    }
    return new sdk.BlobServiceClient(
      url,
      new identity.DefaultAzureCredential(),
      this.#options,
    ).getContainerClient(this.#location.container);
  }

  async #container(): Promise<ContainerClient> {
    if (this.#client === undefined) {
      this.#client = this.#open();
      this.#client.catch(() => {
        this.#client = undefined;
      });
    }
    return this.#client;
  }

  #error(cause: unknown, operation: string, target: string): StateStoreError {
    if (cause instanceof StateStoreError) return cause;
    return azureError(cause, {
      operation,
      target,
      container: this.#location.container,
      endpoint: this.endpoint,
      connectionVariable: this.#connection.variable,
      secrets: this.#secrets,
    });
  }

  async put(objectKey: string, object: PutObject): Promise<void> {
    const container = await this.#container();
    try {
      await container.getBlockBlobClient(this.nameOf(objectKey)).uploadData(object.body, {
        blobHTTPHeaders: {
          blobContentType: object.contentType,
          ...(object.contentEncoding === undefined ? {} : { blobContentEncoding: object.contentEncoding }),
        },
        metadata: toAzureMetadata(object.metadata),
      });
    } catch (cause) {
      throw this.#error(cause, "write", this.refOf(objectKey));
    }
  }

  async get(objectKey: string): Promise<StoredObject | null> {
    const container = await this.#container();
    try {
      const response = await container.getBlobClient(this.nameOf(objectKey)).download();
      return {
        head: {
          metadata: fromAzureMetadata(response.metadata),
          lastModified: response.lastModified ?? null,
          size: response.contentLength ?? null,
        },
        body: response.readableStreamBody as Readable,
      };
    } catch (cause) {
      if (isMissingBlob(cause)) return null;
      throw this.#error(cause, "read", this.refOf(objectKey));
    }
  }

  async #properties(
    container: ContainerClient,
    objectKey: string,
  ): Promise<(ObjectHead & { etag?: string }) | null> {
    try {
      const response = await container.getBlobClient(this.nameOf(objectKey)).getProperties();
      return {
        metadata: fromAzureMetadata(response.metadata),
        lastModified: response.lastModified ?? null,
        size: response.contentLength ?? null,
        ...(response.etag === undefined ? {} : { etag: response.etag }),
      };
    } catch (cause) {
      if (isMissingBlob(cause)) return null;
      throw this.#error(cause, "read the metadata of", this.refOf(objectKey));
    }
  }

  async head(objectKey: string): Promise<ObjectHead | null> {
    const found = await this.#properties(await this.#container(), objectKey);
    if (found === null) return null;
    return { metadata: found.metadata, lastModified: found.lastModified, size: found.size };
  }

  async deleteMany(objectKeys: readonly string[], onlyIf?: (head: ObjectHead) => boolean): Promise<number> {
    if (objectKeys.length === 0) return 0;
    const container = await this.#container();
    const deleted = await mapLimit(objectKeys, DELETE_CONCURRENCY, async (objectKey) => {
      let ifMatch: string | undefined;
      if (onlyIf !== undefined) {
        const found = await this.#properties(container, objectKey);
        if (found === null || !onlyIf(found)) return false;
        ifMatch = found.etag;
      }
      try {
        await container.getBlobClient(this.nameOf(objectKey)).delete({
          deleteSnapshots: "include",
          ...(ifMatch === undefined ? {} : { conditions: { ifMatch } }),
        });
        return true;
      } catch (cause) {
        // Gone already, or rewritten since its properties were read (the newer blob stays).
        if (isMissingBlob(cause) || azureErrorCode(cause) === "ConditionNotMet") return false;
        throw this.#error(cause, "delete", this.refOf(objectKey));
      }
    });
    return deleted.filter(Boolean).length;
  }

  async *list(prefix: string): AsyncIterable<string[]> {
    const container = await this.#container();
    const pages = container
      .listBlobsFlat({ prefix: this.nameOf(prefix) })
      .byPage({ maxPageSize: PAGE })
      [Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<{ segment: { blobItems: { name: string }[] } }>;
      try {
        next = await pages.next();
      } catch (cause) {
        throw this.#error(cause, "list", this.refOf(prefix));
      }
      if (next.done === true) return;
      const page: string[] = [];
      for (const item of next.value.segment.blobItems) {
        const objectKey = this.objectKeyOfName(item.name);
        if (objectKey !== undefined) page.push(objectKey);
      }
      if (page.length > 0) yield page;
    }
  }

  async close(): Promise<void> {
    // The SDK keeps no sockets of its own beyond Node's shared agent: dropping the client is enough.
    this.#client = undefined;
  }
}
