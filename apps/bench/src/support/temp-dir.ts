import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Runs `body` with a fresh temporary directory and removes it afterwards, whatever happens.
 *
 * @param label - part of the directory name.
 * @param body - receives the directory.
 * @returns what `body` returns.
 */
export async function withTempDir<T>(label: string, body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), `tidemark-bench-${label}-`));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
