import { mkdtempSync, rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** A temporary directory with its `file:///…/` URL (ending in "/"); `remove()` deletes it. */
export interface TempDir {
  /** The directory's absolute path. */
  readonly path: string;
  /** The directory's `file:` URL, ending in "/". */
  readonly url: string;
  /** Deletes the directory and everything in it; resolves once it is gone. */
  remove(): Promise<void>;
}

/** A temporary directory removed synchronously, for cleanups that cannot await. */
export interface SyncTempDir {
  /** The directory's absolute path. */
  readonly path: string;
  /** The directory's `file:` URL, ending in "/". */
  readonly url: string;
  /** Deletes the directory and everything in it before returning. */
  remove(): void;
}

/**
 * Creates a fresh directory under the OS temporary directory.
 *
 * @param prefix - the start of its name.
 * @returns the directory, its URL and a remover.
 */
export async function makeTempDir(prefix = "tidemark-"): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return {
    path,
    url: pathToFileURL(`${path}/`).href,
    remove: () => rm(path, { recursive: true, force: true }),
  };
}

/**
 * As {@link makeTempDir}, synchronously.
 *
 * @param prefix - the start of its name.
 * @returns the directory, its URL and a synchronous remover.
 */
export function tempDir(prefix = "tidemark-"): SyncTempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    url: pathToFileURL(`${path}/`).href,
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}
