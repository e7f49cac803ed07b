import { resolveAzureConnection } from "./azure-connection.js";
import { AzureObjectStore } from "./azure-object-store.js";
import { FileObjectStore } from "./file-object-store.js";
import type { ResolvedObjectStorageOptions } from "./object-storage-options.js";
import type { ObjectStore } from "./object-store.js";
import { resolveS3Connection } from "./s3-connection.js";
import { S3ObjectStore, s3ClientConfigOf } from "./s3-object-store.js";
import { TracedObjectStore } from "./traced-object-store.js";

/**
 * The traced store of resolved options: the built-in store the path's scheme names, or the caller's own
 * store. Nothing is contacted here; SDKs load on first use.
 *
 * @throws StateStoreError `CONFIG_ERROR` for a connection `TIDEMARK_CONN_<CONN_ID>` that is missing or
 *   malformed (its value is never quoted).
 */
export function objectStoreOf(resolved: ResolvedObjectStorageOptions): ObjectStore {
  const { path } = resolved;
  switch (path.scheme) {
    case "file":
      return new TracedObjectStore(new FileObjectStore(path.base, path.directory), { system: "file" });
    case "s3": {
      const connection = resolveS3Connection(path.connId, resolved.env);
      const config = s3ClientConfigOf(connection, resolved.env, resolved.s3ClientConfig);
      return new TracedObjectStore(
        new S3ObjectStore({ base: path.base, bucket: path.bucket, prefix: path.prefix }, connection, config),
        {
          system: "s3",
          bucket: path.bucket,
          keyPrefix: path.prefix,
          endpointUrl: connection.endpointUrl,
          region: typeof config.region === "string" ? config.region : connection.region,
        },
      );
    }
    case "azure": {
      const connection = resolveAzureConnection(path.connId, resolved.env);
      const store = new AzureObjectStore(
        { base: path.base, container: path.container, account: path.account, prefix: path.prefix },
        connection,
        resolved.azureClientOptions,
      );
      return new TracedObjectStore(store, {
        system: "azure_blob",
        container: path.container,
        endpointUrl: store.endpoint,
      });
    }
    case "custom": {
      const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(path.base)?.[1]?.toLowerCase() ?? "custom";
      return new TracedObjectStore(path.store, { system: scheme });
    }
  }
}
