import type { MetastoreBackend } from "@tidemark/core";
import type { TaskScope } from "@tidemark/state";

/** How a walk asks for the next page: by counting entries to skip, or by the previous page's cursor. */
export type ListPaging = "offset" | "cursor";

/** What one {@link walkListing} read. */
export interface ListWalk {
  readonly pages: number;
  readonly keys: number;
}

/**
 * Reads a scope's whole listing page by page, as a UI or CLI pages through it, and checks that it saw
 * every key once, in order (a walk that skips or repeats keys would flatter its speed).
 *
 * @param backend - the backend.
 * @param scope - the scope to list.
 * @param paging - `offset` or `cursor`.
 * @param pageSize - the `limit` of every page.
 * @param expectedKeys - how many keys the scope holds.
 * @returns the pages and keys read.
 * @throws Error when the walk does not see exactly `expectedKeys` keys in ascending order.
 */
export async function walkListing(
  backend: MetastoreBackend,
  scope: TaskScope,
  paging: ListPaging,
  pageSize: number,
  expectedKeys: number,
): Promise<ListWalk> {
  let pages = 0;
  let keys = 0;
  let last: string | null = null;
  let cursor: string | null = null;
  do {
    const page = await backend.list(
      scope,
      paging === "offset"
        ? { limit: pageSize, offset: keys }
        : { limit: pageSize, ...(cursor === null ? {} : { cursor }) },
    );
    pages++;
    for (const entry of page.entries) {
      if (last !== null && entry.key <= last) throw new Error(`${paging} walk repeated ${entry.key}`);
      last = entry.key;
    }
    keys += page.entries.length;
    cursor = page.nextCursor ?? null;
  } while (cursor !== null);
  if (keys !== expectedKeys) throw new Error(`${paging} walk saw ${keys} keys of ${expectedKeys}`);
  return { pages, keys };
}
