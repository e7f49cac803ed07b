import { createHash } from "node:crypto";
import {
  type AssetScope,
  assetIdentity,
  NO_REGION_ID,
  requireRegionId,
  StateStoreError,
  type StoreScope,
  utf8ByteLength,
  validateKey,
} from "@tidemark/state";

/**
 * The object layout under the base, relative to it (segments joined by "/"):
 *
 * - task state:  `tasks/<dag_id>/<run_id>/<task_id>/<map_index>/<key>`, and for a task in a region
 *   (Airflow 3.4) `tasks/<dag_id>/<run_id>/<task_id>.r-<region_id>/<map_index>/<key>`; the all-zero
 *   region keeps the first form, so objects written before regions stay where they are;
 * - asset state: by the identifier `assetIdentity` picks, the one rule of every backend:
 *   `asset-ids/<asset_id>/<key>` for a scope with the metastore's integer id (server side), else
 *   `assets/<name or uri>/<key>` (the name when the scope has one, else the uri: the worker side, which
 *   knows no ids);
 *
 * plus `.gz` on the last segment when the object is gzip-compressed. The `tasks/` segment keeps a dag
 * whose id is "assets" apart from asset state. Every segment is percent-encoded byte by byte from UTF-8,
 * keeping only `A-Z a-z 0-9 _ -` (so "/", "\\", "." and "%" are always encoded and no segment can be
 * ".", ".." or contain a separator); a segment whose encoding exceeds {@link MAX_ENCODED_SEGMENT_LENGTH}
 * characters becomes `<first characters of the encoding>.<sha256 hex of the raw text>`, which a plain
 * encoded segment can never look like (a literal "." never appears in one).
 */
export const TASKS_ROOT = "tasks";
/** Top segment of asset state addressed by name or uri. */
export const ASSETS_ROOT = "assets";
/** Top segment of asset state addressed only by the metastore's integer asset id. */
export const ASSET_IDS_ROOT = "asset-ids";
/** What joins a task id segment and its region id, for a task in a region other than the all-zero one. */
export const REGION_SUFFIX = ".r-";

const REGIONAL_TASK_SEGMENT = /^(.+)\.r-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** Suffix of gzip-compressed objects. */
export const GZIP_SUFFIX = ".gz";

/** Longest encoded segment kept readable; longer ones are shortened with a hash (fits file systems and S3). */
export const MAX_ENCODED_SEGMENT_LENGTH = 150;
/** Readable characters kept in front of the hash of a shortened segment. */
const HASHED_PREFIX_LENGTH = 80;
/**
 * Longest key in UTF-8 bytes. A key whose encoding is shortened by a hash is kept in the object's
 * metadata (so `list` can return it); S3 limits user metadata to 2 KB, which bounds the key.
 */
export const MAX_KEY_BYTES = 1536;

const PLAIN_SEGMENT = /^(?:[A-Za-z0-9_-]|%[0-9A-F]{2})+$/;
const HASHED_SEGMENT = /^(?:[A-Za-z0-9_-]|%[0-9A-F]{2})*\.[0-9a-f]{64}$/;
const HEX = "0123456789ABCDEF";
/** With the `u` flag, surrogate pairs are one code point, so this matches only unpaired surrogates. */
const LONE_SURROGATE = /\p{Surrogate}/u;

function isSafeByte(b: number): boolean {
  return (
    (b >= 0x30 && b <= 0x39) ||
    (b >= 0x41 && b <= 0x5a) ||
    (b >= 0x61 && b <= 0x7a) ||
    b === 0x5f ||
    b === 0x2d
  );
}

function percentEncode(raw: string): string {
  let out = "";
  for (const b of Buffer.from(raw, "utf8")) {
    out += isSafeByte(b) ? String.fromCharCode(b) : `%${HEX[b >> 4]}${HEX[b & 15]}`;
  }
  return out;
}

/** The part of an encoded segment, at most `max` characters, that does not cut a `%XX` escape. */
function readablePrefix(encoded: string, max: number): string {
  let end = Math.min(max, encoded.length);
  const percent = encoded.lastIndexOf("%", end - 1);
  if (percent !== -1 && percent > end - 3) end = percent;
  return encoded.slice(0, end);
}

/** What a segment is, for error codes and messages. */
export interface SegmentLabel {
  /** `INVALID_KEY` for keys, `INVALID_SCOPE` for scope identifiers. */
  readonly code: "INVALID_KEY" | "INVALID_SCOPE";
  /** Words naming it, for example `dag_id` or `state key`. */
  readonly name: string;
}

/**
 * Encodes one path segment of the layout.
 *
 * @param raw - the identifier or key.
 * @param label - the error code and the words naming the segment.
 * @returns the encoded segment (never empty, never containing "/" or "\\", never "." or "..").
 * @throws StateStoreError with `label.code` for "", ".", "..", or a string with lone surrogates (which
 *   UTF-8 cannot represent, so two different strings would share one object).
 */
export function encodeSegment(raw: string, label: SegmentLabel): string {
  if (typeof raw !== "string" || raw === "" || raw === "." || raw === "..") {
    throw new StateStoreError(
      label.code,
      `${label.name} ${JSON.stringify(raw)} cannot name an object: "", "." and ".." are not allowed as path segments of the object-storage backend; choose another ${label.name}`,
      { details: { segment: label.name } },
    );
  }
  if (LONE_SURROGATE.test(raw)) {
    throw new StateStoreError(
      label.code,
      `${label.name} ${JSON.stringify(raw)} contains a lone UTF-16 surrogate, which has no UTF-8 form; use well-formed Unicode text`,
      { details: { segment: label.name } },
    );
  }
  const encoded = percentEncode(raw);
  if (encoded.length <= MAX_ENCODED_SEGMENT_LENGTH) return encoded;
  const hash = createHash("sha256").update(raw, "utf8").digest("hex");
  return `${readablePrefix(encoded, HASHED_PREFIX_LENGTH)}.${hash}`;
}

/**
 * Tells whether `segment` is exactly what {@link encodeSegment} produces for some text (canonical
 * upper-case escapes of valid UTF-8, or the hashed form).
 */
export function isCanonicalSegment(segment: string): boolean {
  if (HASHED_SEGMENT.test(segment)) {
    const prefix = segment.slice(0, segment.length - 65);
    return prefix.length <= HASHED_PREFIX_LENGTH && (prefix === "" || PLAIN_SEGMENT.test(prefix));
  }
  if (!PLAIN_SEGMENT.test(segment) || segment.length > MAX_ENCODED_SEGMENT_LENGTH) return false;
  const decoded = decodeSegment(segment);
  return decoded !== undefined && decoded !== "." && decoded !== ".." && percentEncode(decoded) === segment;
}

/**
 * Decodes a plain encoded segment back to its text.
 *
 * @returns the text, or undefined for a hashed segment or anything that is not valid encoded UTF-8.
 */
export function decodeSegment(segment: string): string | undefined {
  if (!PLAIN_SEGMENT.test(segment)) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Tells whether an encoded segment is the hashed (shortened) form, whose text the path does not hold. */
export function isHashedSegment(segment: string): boolean {
  return HASHED_SEGMENT.test(segment);
}

/**
 * Validates a state key for this backend: the common key rules plus at most {@link MAX_KEY_BYTES} UTF-8
 * bytes.
 *
 * @returns the encoded key segment.
 * @throws StateStoreError `INVALID_KEY`.
 */
export function encodeKey(key: string): string {
  validateKey(key);
  const bytes = utf8ByteLength(key);
  if (bytes > MAX_KEY_BYTES) {
    throw new StateStoreError(
      "INVALID_KEY",
      `state key is ${bytes} UTF-8 bytes, over the object-storage backend's limit of ${MAX_KEY_BYTES} bytes (S3 object metadata holds it); use a shorter key`,
      { details: { size: bytes, limit: MAX_KEY_BYTES } },
    );
  }
  return encodeSegment(key, { code: "INVALID_KEY", name: "state key" });
}

function assetSegments(scope: AssetScope): string[] {
  const picked = assetIdentity(scope);
  if (picked.by === "assetId") {
    // An id names a directory, so only the form assetScope accepts may reach the path.
    if (!Number.isSafeInteger(picked.value) || picked.value <= 0) {
      throw new StateStoreError(
        "INVALID_SCOPE",
        `AssetScope assetId must be a positive integer, got ${picked.value}`,
      );
    }
    return [ASSET_IDS_ROOT, String(picked.value)];
  }
  const label = picked.by === "name" ? "asset name" : "asset uri";
  return [ASSETS_ROOT, encodeSegment(picked.value, { code: "INVALID_SCOPE", name: label })];
}

function taskSegments(scope: StoreScope & { kind: "task" }, withMapIndex: boolean): string[] {
  if (!Number.isInteger(scope.mapIndex) || scope.mapIndex < -1) {
    throw new StateStoreError(
      "INVALID_SCOPE",
      `TaskScope mapIndex must be an integer >= -1 (-1 for a task that is not mapped), got ${String(scope.mapIndex)}`,
      { details: { field: "mapIndex" } },
    );
  }
  const task = encodeSegment(scope.taskId, { code: "INVALID_SCOPE", name: "task_id" });
  const regionId = requireRegionId(scope.regionId ?? NO_REGION_ID);
  const segments = [
    TASKS_ROOT,
    encodeSegment(scope.dagId, { code: "INVALID_SCOPE", name: "dag_id" }),
    encodeSegment(scope.runId, { code: "INVALID_SCOPE", name: "run_id" }),
    // An encoded segment never ends in ".r-<uuid>", so the region suffix cannot be mistaken for a task id.
    regionId === NO_REGION_ID ? task : `${task}${REGION_SUFFIX}${regionId}`,
  ];
  if (withMapIndex) segments.push(String(scope.mapIndex));
  return segments;
}

/**
 * The prefix (ending in "/") under which every object of a scope lies.
 *
 * @param scope - a task or asset scope.
 * @param allMapIndices - for a task scope: the prefix of every map index of the task (the map index
 *   segment is dropped, and the trailing "/" keeps task "t" apart from task "t2").
 * @throws StateStoreError `INVALID_SCOPE`.
 */
export function scopePrefix(scope: StoreScope, allMapIndices = false): string {
  const segments = scope.kind === "task" ? taskSegments(scope, !allMapIndices) : assetSegments(scope);
  return `${segments.join("/")}/`;
}

/**
 * The object key (relative to the base) of a state key.
 *
 * @param scope - a task or asset scope.
 * @param key - the state key.
 * @param gzip - whether the object is gzip-compressed (adds `.gz`).
 * @throws StateStoreError `INVALID_KEY` / `INVALID_SCOPE`.
 */
export function objectKeyOf(scope: StoreScope, key: string, gzip: boolean): string {
  return `${scopePrefix(scope)}${encodeKey(key)}${gzip ? GZIP_SUFFIX : ""}`;
}

/** An object key split into what the layout says about it. */
export interface ParsedObjectKey {
  /** Task state or asset state. */
  readonly kind: "task" | "asset";
  /** The encoded key segment, without `.gz`. */
  readonly keySegment: string;
  /** Whether the object is gzip-compressed. */
  readonly gzip: boolean;
}

/**
 * Splits the last segment of an object key into the encoded key segment and compression.
 *
 * @returns undefined when the name is not one this backend writes.
 */
export function parseObjectName(name: string): { keySegment: string; gzip: boolean } | undefined {
  const gzip = name.endsWith(GZIP_SUFFIX);
  const keySegment = gzip ? name.slice(0, -GZIP_SUFFIX.length) : name;
  return isCanonicalSegment(keySegment) ? { keySegment, gzip } : undefined;
}

/**
 * Parses an object key (relative to the base) that this backend could have written.
 *
 * @returns undefined for anything else: wrong depth, unknown top segment, a non-canonical segment (for
 *   example `..`, `%2e%2e`, a backslash or an empty segment).
 */
export function parseObjectKey(objectKey: string): ParsedObjectKey | undefined {
  const segments = objectKey.split("/");
  const last = segments.pop();
  if (last === undefined) return undefined;
  const name = parseObjectName(last);
  if (name === undefined) return undefined;
  const [root, ...ids] = segments;
  if (root === TASKS_ROOT && ids.length === 4) {
    const mapIndex = ids[3] ?? "";
    if (!/^(?:-1|0|[1-9][0-9]*)$/.test(mapIndex)) return undefined;
    const [dag = "", run = "", task = ""] = ids;
    const regional = REGIONAL_TASK_SEGMENT.exec(task);
    if (![dag, run, regional?.[1] ?? task].every(isCanonicalSegment)) return undefined;
    return { kind: "task", ...name };
  }
  if (root === ASSETS_ROOT && ids.length === 1 && isCanonicalSegment(ids[0] ?? "")) {
    return { kind: "asset", ...name };
  }
  if (root === ASSET_IDS_ROOT && ids.length === 1 && /^[1-9][0-9]*$/.test(ids[0] ?? "")) {
    return { kind: "asset", ...name };
  }
  return undefined;
}
