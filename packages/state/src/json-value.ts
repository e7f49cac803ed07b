/** A JSON primitive: string, finite number or boolean (null is allowed only inside containers). */
export type JsonPrimitive = string | number | boolean | null;

/** A JSON object: a plain object whose members are JSON values. */
export interface JsonObject {
  [member: string]: JsonValue;
}

/** A JSON array. */
export type JsonArray = JsonValue[];

/**
 * Any JSON value. State values are JSON values other than a top-level `null` (the reference:
 * "value can be any JSON-compatible type, except for None").
 */
export type JsonValue = JsonPrimitive | JsonObject | JsonArray;
