/** One object-storage measurement, run in its own child process (see object-storage-child.ts). */
export interface ObjectStorageCase {
  readonly store: "file" | "s3" | "azure";
  /**
   * `backend`: StateStoreObjectStorageBackend set/get; `raw`: fs.writeFile/readFile, the S3 SDK or the
   * Azure Blob SDK directly;
   * `raw-durable` (file only): a raw write made durable the way the backend makes it (temporary file, fsync,
   * rename), read with fs.readFile.
   */
  readonly subject: "backend" | "raw" | "raw-durable";
  /** Backend compression: "" (off) or "gzip". Ignored for raw. */
  readonly compression: "" | "gzip";
  /** JSON text size in bytes. */
  readonly bytes: number;
  /** Measured writes and reads (after one unmeasured write and read). */
  readonly runs: number;
  /** file: the directory to write under. */
  readonly directory: string;
  /** s3: the s3rver endpoint and bucket. */
  readonly s3?: { readonly endpoint: string; readonly bucket: string };
  /** azure: the Azurite connection string and container. */
  readonly azure?: { readonly connectionString: string; readonly container: string };
}

/** What the child reports. */
export interface ObjectStorageCaseResult {
  /** Milliseconds of each measured write. */
  readonly writeMs: number[];
  /** Milliseconds of each measured read. */
  readonly readMs: number[];
  /** The child's peak resident set size over its whole life, in bytes. */
  readonly maxRssBytes: number;
  /** The JSON text size actually used, in bytes. */
  readonly bytes: number;
}

/** The access key s3rver accepts. */
export const S3RVER_CREDENTIALS = Object.freeze({ accessKeyId: "S3RVER", secretAccessKey: "S3RVER" });

/**
 * The connection string Tidemark reads from `TIDEMARK_CONN_<CONN_ID>` for an s3rver endpoint.
 *
 * @param endpoint - `http://127.0.0.1:<port>`.
 * @returns `s3://S3RVER:S3RVER@/?endpoint_url=…&region_name=us-east-1&force_path_style=true`.
 */
export function s3rverConnectionUri(endpoint: string): string {
  const { accessKeyId, secretAccessKey } = S3RVER_CREDENTIALS;
  return `s3://${accessKeyId}:${secretAccessKey}@/?endpoint_url=${encodeURIComponent(endpoint)}&region_name=us-east-1&force_path_style=true`;
}
