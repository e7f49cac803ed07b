import { createHash, randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import type { Readable } from "node:stream";

/** The part of s3rver 3.7.1's FilesystemStore this shim replaces. */
interface FilesystemStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  putObject(object: { bucket: string; key: string; content: Buffer | Readable; metadata: unknown }): Promise<{
    size: number;
    md5: string;
  }>;
  putMetadata(bucket: string, key: string, metadata: unknown, md5?: string): Promise<void>;
}

async function bytesOf(content: Buffer | Readable): Promise<Buffer> {
  if (Buffer.isBuffer(content)) return content;
  const chunks: Buffer[] = [];
  for await (const chunk of content) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Writes a file whole, or not at all: a temporary file beside it, renamed over it. */
async function replaceFile(path: string, data: Buffer | string): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * s3rver 3.7.1 writes an object into its file in place (and answers a Buffer upload before the write has
 * finished), so two PUTs of one key at once can leave a mix of both (`{"writer":0}}`), which real S3 never
 * does: it replaces objects whole. This shim makes its object and metadata writes whole (a temporary file
 * renamed over the old one), so concurrency cases test the client, not s3rver. It touches only the
 * filesystem store's two write methods, and is idempotent.
 */
export function installS3rverAtomicWritesShim(): void {
  const require = createRequire(import.meta.url);
  const Store = require(require.resolve("s3rver/lib/stores/filesystem.js")) as {
    prototype: FilesystemStore & { [marker: symbol]: boolean };
  };
  const marker = Symbol.for("tidemark.s3rver-atomic-writes-shim");
  const prototype = Store.prototype;
  if (prototype[marker] === true) return;
  prototype.putObject = async function putObject(object) {
    const path = this.getResourcePath(object.bucket, object.key, "object");
    await mkdir(dirname(path), { recursive: true });
    const bytes = await bytesOf(object.content);
    const md5 = createHash("md5").update(bytes).digest("hex");
    await replaceFile(path, bytes);
    await this.putMetadata(object.bucket, object.key, object.metadata, md5);
    return { size: bytes.length, md5 };
  };
  const putMetadata = prototype.putMetadata;
  prototype.putMetadata = async function whole(bucket, key, metadata, md5) {
    // The original writes object.md5 and metadata.json in place: let it write staged files, then rename them.
    const paths = ["metadata.json", "object.md5"].map((r) => this.getResourcePath(bucket, key, r));
    const staged = paths.map((p) => `${p}.${randomBytes(6).toString("hex")}.staged`);
    const target = Object.create(this) as FilesystemStore;
    target.getResourcePath = (b, k, resource) =>
      resource === "metadata.json"
        ? (staged[0] as string)
        : resource === "object.md5"
          ? (staged[1] as string)
          : this.getResourcePath(b, k, resource);
    await putMetadata.call(target, bucket, key, metadata, md5);
    for (const [i, path] of paths.entries()) {
      await rename(staged[i] as string, path).catch((error: NodeJS.ErrnoException) => {
        // No md5 given: the original writes no object.md5.
        if (error.code !== "ENOENT") throw error;
      });
    }
  };
  prototype[marker] = true;
}
