import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { createGunzip, gzip } from "node:zlib";
import { StateStoreError } from "@tidemark/state";

const gzipAsync = promisify(gzip);

/**
 * Encodes JSON text as the bytes of an object: UTF-8, gzip-compressed (off the main thread) when asked.
 *
 * @param text - the JSON text.
 * @param compress - whether to gzip.
 * @returns the object body.
 */
export async function encodeBody(text: string, compress: boolean): Promise<Buffer> {
  const raw = Buffer.from(text, "utf8");
  return compress ? await gzipAsync(raw) : raw;
}

function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && (code.startsWith("Z_") || code === "ERR_ENCODING_INVALID_ENCODED_DATA");
}

/**
 * Reads an object body back to its JSON text, streaming: gzip is inflated chunk by chunk and UTF-8 is
 * decoded incrementally, so no full copy of the raw bytes is ever held next to the text.
 *
 * @param body - the stored bytes.
 * @param compressed - whether they are gzip data.
 * @param ref - the object's reference, for messages.
 * @returns the text, verbatim (a byte order mark is kept, invalid UTF-8 is refused).
 * @throws StateStoreError `INVALID_VALUE` when the bytes are not valid gzip or UTF-8 (a corrupt object);
 *   `BACKEND_UNAVAILABLE` when the stream fails (for example a connection reset).
 */
export async function readBody(body: Readable, compressed: boolean, ref: string): Promise<string> {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  const parts: string[] = [];
  const collect = async (source: AsyncIterable<Buffer>): Promise<void> => {
    for await (const chunk of source) parts.push(decoder.decode(chunk, { stream: true }));
    parts.push(decoder.decode());
  };
  try {
    if (compressed) await pipeline(body, createGunzip(), collect);
    else await pipeline(body, collect);
  } catch (cause) {
    if (cause instanceof StateStoreError) throw cause;
    if (isDataError(cause)) {
      throw new StateStoreError(
        "INVALID_VALUE",
        `object ${ref} is corrupt (${(cause as Error).message}); it was written outside Tidemark or damaged: overwrite or delete the key`,
        { cause },
      );
    }
    throw new StateStoreError(
      "BACKEND_UNAVAILABLE",
      `reading object ${ref} failed (${(cause as Error)?.message ?? String(cause)}); try again`,
      { cause },
    );
  }
  return parts.length === 1 ? (parts[0] as string) : parts.join("");
}
