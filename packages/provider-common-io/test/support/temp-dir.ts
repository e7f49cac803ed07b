import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** A temporary directory with its `file:///…/` URL; `remove()` deletes it. */
export interface TempDir {
  readonly path: string;
  readonly url: string;
  remove(): Promise<void>;
}

/** Creates a fresh temporary directory under the OS temp dir. */
export async function makeTempDir(prefix = "tidemark-common-io-"): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return {
    path,
    url: pathToFileURL(`${path}/`).href,
    remove: () => rm(path, { recursive: true, force: true }),
  };
}
