import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";
import { installS3rverAtomicWritesShim } from "./s3rver-atomic-writes-shim.js";
import { installS3rverDesShim } from "./s3rver-des-shim.js";

/** The credentials s3rver accepts (it checks request signatures against this key pair). */
export const S3RVER_ACCESS_KEY_ID = "S3RVER";
/** The secret of {@link S3RVER_ACCESS_KEY_ID}. */
export const S3RVER_SECRET_ACCESS_KEY = "S3RVER";

/** A running s3rver, started by {@link startS3rver}. */
export interface S3rverHandle {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** The TCP port it listens on, on 127.0.0.1. */
  readonly port: number;
  /** The bucket created at start (fresh for every server). */
  readonly bucket: string;
  /** The temporary directory s3rver keeps its objects in (removed by `stop`). */
  readonly directory: string;
  /**
   * The connection as Tidemark reads it from `TIDEMARK_CONN_<CONN_ID>`:
   * `s3://S3RVER:S3RVER@/?endpoint_url=…&region_name=us-east-1&force_path_style=true`.
   */
  readonly connectionUri: string;
  /** `{ TIDEMARK_CONN_<CONN_ID>: connectionUri }`, to pass as `env` or merge into a child's environment. */
  connectionEnv(connId: string): Record<string, string>;
  /** A ready `S3ClientConfig` for tests that inspect the bucket directly with `@aws-sdk/client-s3`. */
  readonly clientConfig: {
    /** The server's {@link S3rverHandle.endpoint}. */
    endpoint: string;
    /** `us-east-1`. */
    region: string;
    /** Path-style addressing (`http://host/bucket/key`), which s3rver needs. */
    forcePathStyle: true;
    /** The key pair s3rver accepts. */
    credentials: {
      /** {@link S3RVER_ACCESS_KEY_ID}. */
      accessKeyId: string;
      /** {@link S3RVER_SECRET_ACCESS_KEY}. */
      secretAccessKey: string;
    };
    /** Checksums only where S3 requires them: s3rver does not know the newer defaults. */
    requestChecksumCalculation: "WHEN_REQUIRED";
    /** Response checksums validated only where S3 requires them. */
    responseChecksumValidation: "WHEN_REQUIRED";
  };
  /** Closes the server (and any open connection) and removes its directory. */
  stop(): Promise<void>;
}

/**
 * Starts s3rver (an S3 protocol server on the local file system) in this process on 127.0.0.1 with a
 * free port, with one fresh bucket: a real S3 endpoint for the tests of S3 backends, without Docker or a
 * network. Import it from `@tidemark/testkit/s3rver` (s3rver is an optional peer dependency: install it
 * beside the testkit).
 *
 * s3rver 3.7.1 needs two workarounds, installed here: on Node 20 its ListObjectsV2 continuation tokens use
 * single DES, which OpenSSL 3 lacks (see `s3rver-des-shim.ts`), and it writes objects in place, where S3
 * replaces them whole (see `s3rver-atomic-writes-shim.ts`). Against it the AWS SDK
 * needs path-style addressing and its newer default checksums off (`WHEN_REQUIRED`), which Tidemark's
 * connection parsing sets for any `endpoint_url`. Keep object key segments under ~240 bytes: s3rver
 * stores each key segment as a file name and crashes the process on ENAMETOOLONG.
 *
 * @param options - `bucket`: its name (default `tidemark-<random>`; 3–63 lower-case characters).
 * @returns the handle; call `stop()` in `afterAll`.
 */
export async function startS3rver(options: { bucket?: string } = {}): Promise<S3rverHandle> {
  installS3rverDesShim();
  installS3rverAtomicWritesShim();
  const bucket = options.bucket ?? `tidemark-${randomBytes(4).toString("hex")}`;
  const directory = await mkdtemp(join(tmpdir(), "tidemark-s3rver-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const connectionUri = `s3://${S3RVER_ACCESS_KEY_ID}:${S3RVER_SECRET_ACCESS_KEY}@/?endpoint_url=${encodeURIComponent(endpoint)}&region_name=us-east-1&force_path_style=true`;
  return {
    endpoint,
    port,
    bucket,
    directory,
    connectionUri,
    connectionEnv: (connId) => ({ [`TIDEMARK_CONN_${connId.toUpperCase()}`]: connectionUri }),
    clientConfig: {
      endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: S3RVER_ACCESS_KEY_ID, secretAccessKey: S3RVER_SECRET_ACCESS_KEY },
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    },
    stop: async () => {
      const closing = server.close();
      server.httpServer?.closeAllConnections();
      await closing;
      await rm(directory, { recursive: true, force: true });
    },
  };
}
