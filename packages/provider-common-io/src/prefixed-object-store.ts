/**
 * Internal: the naming shared by the stores whose references are their base URL followed by the object
 * key and whose service names are a prefix followed by it (S3 keys, Azure blob names).
 */
export abstract class PrefixedObjectStore {
  /** The base URL, ending in "/": every reference starts with it. */
  readonly description: string;
  /** The service-side name prefix, empty or ending in "/". */
  readonly #prefix: string;

  /**
   * @param base - the normalized base URL (`s3://[conn_id@]bucket/prefix/`, `az://…`).
   * @param prefix - the name prefix inside the bucket or container, empty or ending in "/".
   */
  constructor(base: string, prefix: string) {
    this.description = base;
    this.#prefix = prefix;
  }

  /** As `ObjectStore.refOf`: the base followed by the key. */
  refOf(objectKey: string): string {
    return `${this.description}${objectKey}`;
  }

  /** As `ObjectStore.objectKeyOfRef`: undefined for a reference outside the base, or the base itself. */
  objectKeyOfRef(ref: string): string | undefined {
    if (!ref.startsWith(this.description)) return undefined;
    const objectKey = ref.slice(this.description.length);
    return objectKey === "" ? undefined : objectKey;
  }

  /** The service-side name (S3 key, blob name) of an object key or key prefix. */
  protected nameOf(objectKey: string): string {
    return `${this.#prefix}${objectKey}`;
  }

  /** The object key of a listed name, or undefined when the name is not under the prefix. */
  protected objectKeyOfName(name: string | undefined): string | undefined {
    return name?.startsWith(this.#prefix) === true ? name.slice(this.#prefix.length) : undefined;
  }
}
