import type { JsonValue } from "../api/wire-types";

/**
 * The full value as formatted JSON (two-space indent) for the detail panel.
 *
 * @param value - a JSON value.
 * @returns its pretty-printed JSON text.
 */
export function formatValue(value: JsonValue): string {
  return JSON.stringify(value, null, 2);
}

/**
 * A one-line preview of a value for the keys table: compact JSON cut at `maxChars` with an ellipsis.
 *
 * @param value - a JSON value.
 * @param maxChars - longest preview, in characters (80 by default).
 * @returns the preview.
 */
export function previewValue(value: JsonValue, maxChars = 80): string {
  const text = JSON.stringify(value);
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text;
}

/**
 * The size the server counts against `max_value_storage_bytes`: UTF-8 bytes of the compact JSON text.
 *
 * @param value - a JSON value.
 * @returns the size in bytes.
 */
export function valueByteLength(value: JsonValue): number {
  return new TextEncoder().encode(JSON.stringify(value)).length;
}

/** The result of {@link parseValueText}. */
export type ParsedValue = { ok: true; value: JsonValue } | { ok: false; message: string };

/**
 * Reads the editor's text as a JSON value and explains what is wrong when it is not one.
 *
 * @param text - what the operator typed.
 * @returns the value, or a message in words (empty input, not JSON, top-level null).
 */
export function parseValueText(text: string): ParsedValue {
  if (text.trim() === "") {
    return { ok: false, message: 'Enter a value as JSON, for example "hello", 42, true or {"offset": 10}.' };
  }
  let value: JsonValue;
  try {
    value = JSON.parse(text) as JsonValue;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      message: `This is not valid JSON (${detail}). Text needs double quotes, for example "hello".`,
    };
  }
  if (value === null) {
    return { ok: false, message: "A state value cannot be null. To remove the key, delete it instead." };
  }
  return { ok: true, value };
}
