import type { JsonValue } from "./json-value.js";
import { StateStoreError } from "./state-store-error.js";

/** Default of `state_store.max_value_storage_bytes`: 65,535 UTF-8 bytes of JSON text. */
export const DEFAULT_MAX_VALUE_STORAGE_BYTES = 65_535;

/** Options of {@link encodeValue}. */
export interface EncodeValueOptions {
  /**
   * Largest JSON text accepted, in UTF-8 bytes (`state_store.max_value_storage_bytes`).
   * 0 disables the limit. Default {@link DEFAULT_MAX_VALUE_STORAGE_BYTES}.
   */
  maxBytes?: number;
  /** Words naming the value in messages, for example `value of key "watermark"`. Default `value`. */
  label?: string;
}

/**
 * Number of bytes of `text` encoded as UTF-8, computed without allocating.
 *
 * @param text - any string (lone surrogates count as the 3 bytes of U+FFFD, as TextEncoder writes them).
 * @returns the byte length.
 */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function memberPath(path: string, member: string): string {
  return IDENTIFIER.test(member) ? `${path}.${member}` : `${path}[${JSON.stringify(member)}]`;
}

function conversionHint(value: object): string {
  if (value instanceof Date) return "a Date: convert it with date.toISOString()";
  if (value instanceof Map) return "a Map: convert it with Object.fromEntries(map)";
  if (value instanceof Set) return "a Set: convert it with Array.from(set)";
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer)
    return "binary data: convert it to a string (for example base64) or an array of numbers";
  if (value instanceof RegExp) return "a RegExp: store its source string instead";
  if (value instanceof Error) return "an Error: store { name, message } instead";
  const name = (value as { constructor?: { name?: string } }).constructor?.name || "unknown";
  return `an instance of class ${name}: convert it to a plain object, array or primitive first`;
}

function invalid(path: string, what: string, label: string): StateStoreError {
  return new StateStoreError("INVALID_VALUE", `${label} is not storable as JSON: ${path} is ${what}`, {
    details: { path },
  });
}

function check(value: unknown, path: string, ancestors: object[], label: string): void {
  switch (typeof value) {
    case "string":
    case "boolean":
      return;
    case "number":
      if (Number.isNaN(value)) throw invalid(path, "NaN; store a finite number or null instead", label);
      if (!Number.isFinite(value))
        throw invalid(path, `${value > 0 ? "Infinity" : "-Infinity"}; store a finite number instead`, label);
      return;
    case "bigint":
      throw invalid(path, "a BigInt; convert it to a string or a safe integer Number first", label);
    case "function":
      throw invalid(path, "a function; functions cannot be stored", label);
    case "symbol":
      throw invalid(path, "a symbol; symbols cannot be stored", label);
    case "undefined":
      throw invalid(path, "undefined; omit the member or store null instead", label);
    case "object": {
      if (value === null) return;
      if (ancestors.includes(value))
        throw invalid(path, "a circular reference to one of its ancestors", label);
      ancestors.push(value);
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) check(value[i], `${path}[${i}]`, ancestors, label);
      } else {
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) throw invalid(path, conversionHint(value), label);
        for (const member of Object.keys(value)) {
          const child = (value as Record<string, unknown>)[member];
          // An optional member left undefined is omitted, as JSON.stringify does.
          if (child !== undefined) check(child, memberPath(path, member), ancestors, label);
        }
      }
      ancestors.pop();
      return;
    }
  }
}

/**
 * Validates a state value and encodes it as JSON text, the form every backend stores.
 *
 * Rejects, with a message naming the JSON path of the offending member (for example
 * `$.rows[3].delay is NaN`): `null` or `undefined` at the top level (the reference: any JSON type except
 * None), NaN and ±Infinity anywhere, BigInt, functions, symbols, `undefined` array elements, class
 * instances such as Date and Map (the message says how to convert them) and circular structures.
 * Object members whose value is `undefined` are omitted, as `JSON.stringify` does.
 *
 * @param value - the value task code wants to store.
 * @param options - `maxBytes`: the size limit in UTF-8 bytes (0 = none); `label`: words for messages.
 * @returns the JSON text.
 * @throws StateStoreError `INVALID_VALUE` for a value that is not a storable JSON value;
 *   `VALUE_TOO_LARGE` when the text exceeds `maxBytes` (the message gives the limit, the size and the remedy).
 */
export function encodeValue(value: unknown, options: EncodeValueOptions = {}): string {
  const label = options.label ?? "value";
  if (value === null || value === undefined) {
    throw new StateStoreError(
      "INVALID_VALUE",
      `${label} is ${value === null ? "null" : "undefined"}: state values may be any JSON value except a top-level null; delete the key instead of storing null`,
      { details: { path: "$" } },
    );
  }
  check(value, "$", [], label);
  const text = JSON.stringify(value);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_VALUE_STORAGE_BYTES;
  assertWithinSizeLimit(text, maxBytes, label);
  return text;
}

/**
 * Checks the size of an already encoded JSON text against `state_store.max_value_storage_bytes`.
 *
 * @param text - JSON text.
 * @param maxBytes - the limit in UTF-8 bytes; 0 disables it.
 * @param label - words naming the value in the message. Default `value`.
 * @throws StateStoreError `VALUE_TOO_LARGE` naming the limit, the size and the remedy.
 */
export function assertWithinSizeLimit(text: string, maxBytes: number, label = "value"): void {
  if (maxBytes <= 0 || text.length <= maxBytes / 3) return;
  const size = utf8ByteLength(text);
  if (size > maxBytes) {
    throw new StateStoreError(
      "VALUE_TOO_LARGE",
      `${label} is ${size} bytes of JSON, over the limit of ${maxBytes} bytes (state_store.max_value_storage_bytes); store a smaller value, raise state_store.max_value_storage_bytes (0 = no limit), or configure a worker backend (workers.state_store_backend) that offloads large values to object storage`,
      { details: { limit: maxBytes, size } },
    );
  }
}

/**
 * Decodes stored JSON text back into a value; the inverse of {@link encodeValue}.
 *
 * @param text - JSON text as a backend stored it.
 * @returns the value.
 * @throws StateStoreError `INVALID_VALUE` when `text` is not valid JSON (a corrupt row or object).
 */
export function decodeValue(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (cause) {
    const preview = text.length > 60 ? `${text.slice(0, 60)}…` : text;
    throw new StateStoreError(
      "INVALID_VALUE",
      `stored state is not valid JSON (${JSON.stringify(preview)}); the row or object was written outside Tidemark or is corrupt: overwrite or delete the key`,
      { cause },
    );
  }
}
