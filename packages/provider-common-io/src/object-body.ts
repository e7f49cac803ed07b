import { isAscii } from "node:buffer";
import { Readable } from "node:stream";
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
 * Gathers a stream's bytes into one Buffer. With the size known (`expected`), the bytes are copied into a
 * single buffer of that size as they arrive, so no second copy is made; a stream that turns out longer or
 * shorter than announced is still read whole and correctly.
 */
async function collectBytes(
  source: AsyncIterable<Buffer>,
  expected: number | null | undefined,
): Promise<Buffer> {
  if (expected !== null && expected !== undefined && Number.isSafeInteger(expected) && expected >= 0) {
    const whole = Buffer.allocUnsafe(expected);
    let filled = 0;
    let overflow: Buffer[] | undefined;
    for await (const chunk of source) {
      if (overflow === undefined && filled + chunk.length <= expected) {
        chunk.copy(whole, filled);
        filled += chunk.length;
      } else {
        overflow ??= [whole.subarray(0, filled)];
        overflow.push(chunk);
      }
    }
    return overflow === undefined ? whole.subarray(0, filled) : Buffer.concat(overflow);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}

/** Inflated bytes handed on at once by gunzip (zlib's default is 16 KB; bigger chunks cost less per byte). */
const GUNZIP_CHUNK_BYTES = 64 * 1024;
/** Deflate never expands more than about 1032:1, so a trailer claiming more is not believed. */
const MAX_DEFLATE_RATIO = 1032;
/** Largest inflated size taken from a gzip trailer to size the output buffer up front. */
const MAX_TRAILER_HINT_BYTES = 1024 * 1024 * 1024;

/**
 * The inflated size a whole gzip member says it has (its trailer's ISIZE: the size modulo 2^32), when it is
 * plausible; only a hint for sizing a buffer, never trusted for correctness.
 */
function gzipSizeHint(gz: Buffer): number | null {
  if (gz.length < 18) return null;
  const size = gz.readUInt32LE(gz.length - 4);
  return size <= gz.length * MAX_DEFLATE_RATIO && size <= MAX_TRAILER_HINT_BYTES ? size : null;
}

/**
 * Decodes UTF-8 bytes to text. Pure ASCII (most JSON) is copied as Latin-1, which is the same text and
 * several times faster than UTF-8 decoding; anything else goes through the strict decoder.
 *
 * @throws TypeError `ERR_ENCODING_INVALID_ENCODED_DATA` for invalid UTF-8.
 */
function decodeUtf8(bytes: Buffer): string {
  if (isAscii(bytes)) return bytes.toString("latin1");
  return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
}

/**
 * Reads an object body back to its JSON text. The stored bytes are taken whole (a Buffer as given; a
 * stream gathered into one buffer, of `size` bytes when known, so no second copy is made); gzip is then
 * inflated into one buffer sized from the gzip trailer; the UTF-8 is decoded once (pure ASCII as a plain copy). The peak is the stored
 * bytes, the inflated bytes and the text.
 *
 * @param body - the stored bytes: whole in a Buffer, or a stream (consumed here).
 * @param compressed - whether they are gzip data.
 * @param ref - the object's reference, for messages.
 * @param size - the stored size in bytes when known (a hint for gathering a stream; never trusted for
 *   correctness).
 * @returns the text, verbatim (a byte order mark is kept, invalid UTF-8 is refused).
 * @throws StateStoreError `INVALID_VALUE` when the bytes are not valid gzip or UTF-8 (a corrupt object);
 *   `BACKEND_UNAVAILABLE` when the stream fails (for example a connection reset).
 */
export async function readBody(
  body: Buffer | Readable,
  compressed: boolean,
  ref: string,
  size?: number | null,
): Promise<string> {
  try {
    // The stored bytes whole: as given, or gathered from the stream (into one buffer of `size` bytes).
    const stored = Buffer.isBuffer(body) ? body : await collectBytes(body, size);
    if (!compressed) return decodeUtf8(stored);
    // gzip: its trailer tells the inflated size, so inflate into one buffer of that size and decode once.
    let bytes: Buffer = Buffer.alloc(0);
    await pipeline(
      Readable.from([stored], { objectMode: false }),
      createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES }),
      async (source: AsyncIterable<Buffer>) => {
        bytes = await collectBytes(source, gzipSizeHint(stored));
      },
    );
    return decodeUtf8(bytes);
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
}

/** Releases an object body that will not be read (a stream is destroyed; a Buffer needs nothing). */
export function discardBody(body: Buffer | Readable): void {
  if (!Buffer.isBuffer(body)) body.destroy();
}
