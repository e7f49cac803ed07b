import { StateStoreError } from "@tidemark/state";
import { parseObjectStoragePath } from "./object-storage-path.js";

/** The configuration section the provider owns (`[common_io]` in `tidemark.toml`). */
export const COMMON_IO_SECTION = "common_io";

/** `common_io.state_store_objectstorage_path`. */
export const PATH_OPTION = `${COMMON_IO_SECTION}.state_store_objectstorage_path`;
/** `common_io.state_store_objectstorage_compression`. */
export const COMPRESSION_OPTION = `${COMMON_IO_SECTION}.state_store_objectstorage_compression`;
/** `common_io.state_store_objectstorage_threshold`. */
export const THRESHOLD_OPTION = `${COMMON_IO_SECTION}.state_store_objectstorage_threshold`;

/** The options of the `common_io` section, in the order the README lists them. */
const SECTION_OPTIONS = Object.freeze([
  "state_store_objectstorage_path",
  "state_store_objectstorage_compression",
  "state_store_objectstorage_threshold",
]);

/** The compression codecs of `common_io.state_store_objectstorage_compression`: none ("") or gzip. */
export const OBJECT_STORAGE_COMPRESSIONS = Object.freeze(["", "gzip"] as const);

/** A supported compression codec: "" (none) or "gzip". */
export type ObjectStorageCompression = (typeof OBJECT_STORAGE_COMPRESSIONS)[number];

/** The `common_io` section after validation: what the backend definitions build the backend from. */
export interface ObjectStorageConfig {
  /** `state_store_objectstorage_path`, a valid `file://` or `s3://` base. */
  readonly path: string;
  /** `state_store_objectstorage_compression`. */
  readonly compression: ObjectStorageCompression;
  /** `state_store_objectstorage_threshold`, in UTF-8 bytes of JSON text. */
  readonly threshold: number;
}

/**
 * Validates a compression codec.
 *
 * @param value - the option's value; absent or null means none.
 * @param option - the option named in the error.
 * @returns "" or "gzip".
 * @throws StateStoreError `CONFIG_ERROR` listing the supported codecs.
 */
export function resolveCompression(value: unknown, option: string): ObjectStorageCompression {
  const text = value === undefined || value === null ? "" : value;
  if (typeof text === "string" && (OBJECT_STORAGE_COMPRESSIONS as readonly string[]).includes(text)) {
    return text as ObjectStorageCompression;
  }
  throw new StateStoreError(
    "CONFIG_ERROR",
    `${option} = ${JSON.stringify(text)} is not a supported compression; supported codecs: "" (none), "gzip"`,
    { details: { option, supported: [...OBJECT_STORAGE_COMPRESSIONS] } },
  );
}

/**
 * Validates an inline threshold. Digits in a string are accepted, as environment variables deliver them.
 *
 * @param value - the option's value; absent, null or "" means 0.
 * @param option - the option named in the error.
 * @returns the byte count.
 * @throws StateStoreError `CONFIG_ERROR` for anything but an integer >= 0.
 */
export function resolveThreshold(value: unknown, option: string): number {
  if (value === undefined || value === null || value === "") return 0;
  const number = typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof number !== "number" || !Number.isSafeInteger(number) || number < 0) {
    throw new StateStoreError(
      "CONFIG_ERROR",
      `${option} = ${JSON.stringify(value)} is not a byte count: use an integer >= 0 (values whose JSON text is smaller stay inline; 0 offloads every value)`,
      { details: { option } },
    );
  }
  return number;
}

/**
 * Validates the `common_io` section (snake_case as in `tidemark.toml`; `TIDEMARK__COMMON_IO__…`
 * variables arrive as strings) into typed options. This is the `parseConfig` of the provider's backend
 * definitions: the configuration loader passes the section through unvalidated.
 *
 * @param section - the section, `{}` when absent.
 * @returns path, compression and threshold.
 * @throws StateStoreError `CONFIG_ERROR` naming the option: a missing or malformed path, a compression
 *   other than "" or "gzip" (the message lists the supported codecs), a negative or non-integer threshold,
 *   or an option the section does not have (a typo; the message lists the options).
 */
export function parseObjectStorageConfig(section: Readonly<Record<string, unknown>>): ObjectStorageConfig {
  for (const key of Object.keys(section)) {
    if (!SECTION_OPTIONS.includes(key)) {
      const option = `${COMMON_IO_SECTION}.${key}`;
      throw new StateStoreError(
        "CONFIG_ERROR",
        `${option} is not a Tidemark option; the options of [${COMMON_IO_SECTION}] are ${SECTION_OPTIONS.join(", ")}`,
        { details: { option } },
      );
    }
  }
  const path = parseObjectStoragePath(section.state_store_objectstorage_path, PATH_OPTION);
  return Object.freeze({
    path: path.base,
    compression: resolveCompression(section.state_store_objectstorage_compression, COMPRESSION_OPTION),
    threshold: resolveThreshold(section.state_store_objectstorage_threshold, THRESHOLD_OPTION),
  });
}
