import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";

/** A running s3rver with one bucket. */
export interface S3rverServer {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly bucket: string;
  /** Closes the server and removes its directory. */
  stop(): Promise<void>;
}

/**
 * Starts s3rver (an S3 protocol server on the local file system) in this process on 127.0.0.1 with a free
 * port and one bucket, `tidemark-bench`. The benchmark's clients run in child processes, so this process
 * only serves while they measure.
 *
 * @returns the server; call `stop()` when done.
 */
export async function startS3rver(): Promise<S3rverServer> {
  const directory = await mkdtemp(join(tmpdir(), "tidemark-bench-s3rver-"));
  const bucket = "tidemark-bench";
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  try {
    const { port } = await server.run();
    return {
      endpoint: `http://127.0.0.1:${port}`,
      bucket,
      async stop() {
        await server.close().catch(() => {});
        await rm(directory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
}
