import { randomBytes } from "node:crypto";
import { type FileHandle, link, mkdir, open, opendir, rename, rmdir, unlink } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { StateStoreError } from "@tidemark/state";
import type { ObjectHead, ObjectStore, PutObject, StoredObject } from "./object-store.js";
import { fsError } from "./store-errors.js";

/**
 * Metadata of a local object lives in a header line in front of the body, written only when the object
 * has metadata (an expiry, or the full key of a hashed key segment), so objects without metadata are
 * plain JSON or plain gzip files. The header is this magic, the metadata as one line of JSON, and "\n".
 * Neither JSON text nor gzip data can start with a NUL byte, so the two forms cannot be confused. One
 * file per object keeps writes atomic (no sidecar to get out of step).
 */
const HEADER_MAGIC = Buffer.from("\u0000tidemark-meta ", "latin1");
/**
 * Bytes read to find the header when only the metadata is wanted (head), or when a file too big to read
 * whole is streamed. The header must fit in it (metadata is small: an expiry and at most a 2 KB key).
 */
const FIRST_READ_BYTES = 64 * 1024;
/**
 * Largest file read whole in one go (one buffer of the file's size, as fs.readFile does); bigger files are
 * streamed. Well above any value a state store should hold, well below Node's string and buffer limits.
 */
const WHOLE_READ_MAX_BYTES = 256 * 1024 * 1024;
const TEMP_PREFIX = ".tmp-";
const GRAVE_PREFIX = ".del-";
const BATCH = 1000;

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/**
 * Fills `buffer` from the start of the file (a read may return fewer bytes than asked).
 *
 * @returns the bytes read: `buffer.length`, or fewer when the file ended first.
 */
async function readFully(handle: FileHandle, buffer: Buffer): Promise<number> {
  let filled = 0;
  while (filled < buffer.length) {
    const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}

function encodeHeader(metadata: Readonly<Record<string, string>>): Buffer | undefined {
  if (Object.keys(metadata).length === 0) return undefined;
  return Buffer.concat([HEADER_MAGIC, Buffer.from(`${JSON.stringify(metadata)}\n`, "utf8")]);
}

/**
 * Internal: an {@link ObjectStore} on a local directory, through node:fs.
 *
 * Writes go to a temporary file in the object's directory (flushed with fsync), then `rename` replaces
 * the object atomically: a failed write leaves the previous object readable. Empty directories are
 * removed after deletes, up to the base; a write racing with that removal retries.
 */
export class FileObjectStore implements ObjectStore {
  readonly description: string;
  readonly #root: string;

  /**
   * @param base - the normalized base URL (`file:///dir/`).
   * @param directory - the absolute directory, ending in the path separator.
   */
  constructor(base: string, directory: string) {
    this.description = base;
    this.#root = directory.endsWith(sep) ? directory : `${directory}${sep}`;
  }

  #pathOf(objectKey: string): string {
    return join(this.#root, ...objectKey.split("/"));
  }

  refOf(objectKey: string): string {
    return pathToFileURL(this.#pathOf(objectKey)).href;
  }

  objectKeyOfRef(ref: string): string | undefined {
    let path: string;
    try {
      const url = new URL(ref);
      if (url.protocol !== "file:") return undefined;
      path = fileURLToPath(url);
    } catch {
      return undefined;
    }
    const rel = relative(this.#root, path);
    if (rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined;
    const objectKey = rel.split(sep).join("/");
    // Only the exact form this store writes: no "localhost", no "//", no re-encoded variants.
    return this.refOf(objectKey) === ref ? objectKey : undefined;
  }

  async put(objectKey: string, object: PutObject): Promise<void> {
    const file = this.#pathOf(objectKey);
    const dir = dirname(file);
    const header = encodeHeader(object.metadata);
    for (let attempt = 0; ; attempt++) {
      const temp = join(dir, `${TEMP_PREFIX}${randomBytes(8).toString("hex")}`);
      let handle: FileHandle | undefined;
      try {
        await mkdir(dir, { recursive: true });
        handle = await open(temp, "wx");
        if (header !== undefined) await handle.writeFile(header);
        await handle.writeFile(object.body);
        await handle.sync();
        await handle.close();
        handle = undefined;
        await rename(temp, file);
        return;
      } catch (error) {
        await handle?.close().catch(() => undefined);
        await unlink(temp).catch(() => undefined);
        // The directory was removed by a concurrent delete between mkdir and open/rename: try again.
        if (isMissing(error) && attempt < 5) continue;
        throw fsError(error, "write", this.refOf(objectKey));
      }
    }
  }

  /** Reads the header (if any) from the first bytes of a file. */
  #parseHeader(first: Buffer, objectKey: string): { metadata: Record<string, string>; offset: number } {
    if (first.length < HEADER_MAGIC.length || !first.subarray(0, HEADER_MAGIC.length).equals(HEADER_MAGIC)) {
      return { metadata: {}, offset: 0 };
    }
    const newline = first.indexOf(0x0a, HEADER_MAGIC.length);
    if (newline !== -1) {
      try {
        const metadata = JSON.parse(first.subarray(HEADER_MAGIC.length, newline).toString("utf8")) as unknown;
        if (typeof metadata === "object" && metadata !== null && !Array.isArray(metadata)) {
          const clean: Record<string, string> = {};
          for (const [k, v] of Object.entries(metadata)) if (typeof v === "string") clean[k] = v;
          return { metadata: clean, offset: newline + 1 };
        }
      } catch {
        // fall through to the error below
      }
    }
    throw new StateStoreError(
      "INVALID_VALUE",
      `object ${this.refOf(objectKey)} has a corrupt metadata header; it was written outside Tidemark or is damaged: delete or overwrite the key`,
    );
  }

  async #open(
    objectKey: string,
    wantBody: boolean,
    file = this.#pathOf(objectKey),
  ): Promise<StoredObject | ObjectHead | null> {
    let handle: FileHandle;
    try {
      handle = await open(file, "r");
    } catch (error) {
      if (isMissing(error)) return null;
      throw fsError(error, "read", this.refOf(objectKey));
    }
    let handedOver = false;
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) return null;
      // With the body wanted and the file not too big, read it whole: one read of the file's size, the
      // header parsed from its start, the body a view of the rest (no copy, no stream).
      const whole = wantBody && stat.size <= WHOLE_READ_MAX_BYTES;
      const first = Buffer.allocUnsafe(whole ? stat.size : Math.min(stat.size, FIRST_READ_BYTES));
      const read = first.subarray(0, await readFully(handle, first));
      const { metadata, offset } = this.#parseHeader(read, objectKey);
      const head: ObjectHead = { metadata, lastModified: stat.mtime, size: stat.size - offset };
      if (!wantBody) return head;
      if (whole || read.length >= stat.size) return { head, body: read.subarray(offset) };
      handedOver = true;
      return { head, body: handle.createReadStream({ start: offset, autoClose: true }) };
    } catch (error) {
      if (error instanceof StateStoreError) throw error;
      throw fsError(error, "read", this.refOf(objectKey));
    } finally {
      if (!handedOver) await handle.close().catch(() => undefined);
    }
  }

  async get(objectKey: string): Promise<StoredObject | null> {
    return (await this.#open(objectKey, true)) as StoredObject | null;
  }

  async head(objectKey: string): Promise<ObjectHead | null> {
    return (await this.#open(objectKey, false)) as ObjectHead | null;
  }

  /**
   * Deletes objects. With `onlyIf`, each object is first moved aside by `rename` (which takes whatever
   * version is current, atomically), checked again, and either removed or put back with `link` (which
   * never overwrites a newer object written meanwhile).
   */
  async deleteMany(objectKeys: readonly string[], onlyIf?: (head: ObjectHead) => boolean): Promise<number> {
    let deleted = 0;
    const dirs = new Set<string>();
    for (const objectKey of objectKeys) {
      const file = this.#pathOf(objectKey);
      try {
        if (onlyIf === undefined) {
          await unlink(file);
          deleted++;
        } else if (await this.#deleteIf(objectKey, file, onlyIf)) {
          deleted++;
        }
        dirs.add(dirname(file));
      } catch (error) {
        if (isMissing(error)) continue;
        throw fsError(error, "delete", this.refOf(objectKey));
      }
    }
    for (const dir of dirs) await this.#prune(dir);
    return deleted;
  }

  async #deleteIf(objectKey: string, file: string, onlyIf: (head: ObjectHead) => boolean): Promise<boolean> {
    const grave = join(dirname(file), `${GRAVE_PREFIX}${randomBytes(8).toString("hex")}`);
    await rename(file, grave);
    const head = (await this.#open(objectKey, false, grave).catch(() => null)) as ObjectHead | null;
    if (head !== null && onlyIf(head)) {
      await unlink(grave);
      return true;
    }
    try {
      // link never overwrites: if a newer object was written meanwhile (EEXIST), it wins.
      await link(grave, file);
      await unlink(grave);
    } catch (error) {
      if ((error as { code?: unknown }).code === "EEXIST") await unlink(grave);
      else await rename(grave, file); // a file system without hard links: put it back regardless
    }
    return false;
  }

  /** Removes empty directories from `dir` up to (not including) the base. */
  async #prune(dir: string): Promise<void> {
    let current = dir;
    while (current.length > this.#root.length && current.startsWith(this.#root)) {
      try {
        await rmdir(current);
      } catch {
        return; // not empty, already gone, or not ours to remove
      }
      current = dirname(current);
    }
  }

  async *list(prefix: string): AsyncIterable<string[]> {
    let page: string[] = [];
    const walk = async function* (this: FileObjectStore, dir: string, rel: string): AsyncGenerator<string> {
      let handle: Awaited<ReturnType<typeof opendir>>;
      try {
        handle = await opendir(dir);
      } catch (error) {
        if (isMissing(error)) return;
        throw fsError(error, "list", pathToFileURL(dir).href);
      }
      for await (const entry of handle) {
        if (entry.name.startsWith(".")) continue; // temporary and set-aside files
        if (entry.isDirectory()) yield* walk.call(this, join(dir, entry.name), `${rel}${entry.name}/`);
        else if (entry.isFile()) yield `${rel}${entry.name}`;
      }
    };
    const start = prefix === "" ? this.#root : this.#pathOf(prefix.replace(/\/$/, ""));
    for await (const objectKey of walk.call(this, start, prefix)) {
      page.push(objectKey);
      if (page.length >= BATCH) {
        yield page;
        page = [];
      }
    }
    if (page.length > 0) yield page;
  }

  async close(): Promise<void> {}
}
