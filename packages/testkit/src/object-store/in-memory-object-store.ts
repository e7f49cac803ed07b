import type { ObjectStoreHead, ObjectStoreObject, ObjectStoreUnderTest } from "./object-store-under-test.js";

interface Stored {
  readonly body: Buffer;
  readonly contentType: string;
  readonly contentEncoding: string | undefined;
  readonly metadata: Readonly<Record<string, string>>;
  readonly lastModified: Date;
}

/** Most keys per page of {@link InMemoryObjectStore.list}, as the cloud stores page. */
const PAGE = 1000;

/**
 * An object store in a Map: the reference implementation of the object store contract (it passes
 * {@link objectStoreSuite}) and a starting point for your own. Its references are
 * `memory://<name>/<object key>`. Objects are copied in and out, so callers cannot change them.
 */
export class InMemoryObjectStore implements ObjectStoreUnderTest {
  readonly description: string;
  readonly #objects = new Map<string, Stored>();

  /** @param name - names the base `memory://<name>/` (letters, digits, "-"; default `store`). */
  constructor(name = "store") {
    if (!/^[A-Za-z0-9-]+$/.test(name)) throw new TypeError(`invalid store name ${JSON.stringify(name)}`);
    this.description = `memory://${name}/`;
  }

  /** How many objects it holds. */
  get size(): number {
    return this.#objects.size;
  }

  refOf(objectKey: string): string {
    return `${this.description}${objectKey}`;
  }

  objectKeyOfRef(ref: string): string | undefined {
    if (!ref.startsWith(this.description)) return undefined;
    const objectKey = ref.slice(this.description.length);
    return objectKey === "" ? undefined : objectKey;
  }

  async put(
    objectKey: string,
    object: {
      readonly body: Buffer;
      readonly contentType: string;
      readonly contentEncoding?: string | undefined;
      readonly metadata: Readonly<Record<string, string>>;
    },
  ): Promise<void> {
    this.#objects.set(objectKey, {
      body: Buffer.from(object.body),
      contentType: object.contentType,
      contentEncoding: object.contentEncoding,
      metadata: Object.freeze({ ...object.metadata }),
      lastModified: new Date(),
    });
  }

  #head(stored: Stored): ObjectStoreHead {
    return { metadata: { ...stored.metadata }, lastModified: stored.lastModified, size: stored.body.length };
  }

  async get(objectKey: string): Promise<ObjectStoreObject | null> {
    const stored = this.#objects.get(objectKey);
    return stored === undefined ? null : { head: this.#head(stored), body: Buffer.from(stored.body) };
  }

  async head(objectKey: string): Promise<ObjectStoreHead | null> {
    const stored = this.#objects.get(objectKey);
    return stored === undefined ? null : this.#head(stored);
  }

  /** Deletes synchronously, so `onlyIf` is checked atomically with the delete. */
  async deleteMany(
    objectKeys: readonly string[],
    onlyIf?: (head: ObjectStoreHead) => boolean,
  ): Promise<number> {
    let deleted = 0;
    for (const objectKey of objectKeys) {
      const stored = this.#objects.get(objectKey);
      if (stored === undefined || (onlyIf !== undefined && !onlyIf(this.#head(stored)))) continue;
      this.#objects.delete(objectKey);
      deleted++;
    }
    return deleted;
  }

  async *list(prefix: string): AsyncIterable<string[]> {
    const keys = [...this.#objects.keys()].filter((k) => k.startsWith(prefix)).sort();
    for (let start = 0; start < keys.length; start += PAGE) yield keys.slice(start, start + PAGE);
  }

  async close(): Promise<void> {}
}
