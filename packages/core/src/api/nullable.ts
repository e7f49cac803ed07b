import { type Static, type TSchema, type TSchemaOptions, type TUnsafe, Type } from "typebox";

/**
 * A schema that also accepts null, written as a type list (`{"type": ["string", "null"]}`) rather than
 * TypeBox's `anyOf`, so the served OpenAPI documents keep the form their clients are generated from.
 *
 * @param schema - a schema with a single `type` (string, integer, object…).
 * @param options - further keywords, for example a description.
 * @returns the schema with `"null"` added to its type.
 */
export function nullable<T extends TSchema & { readonly type: string }>(
  schema: T,
  options?: TSchemaOptions,
): TUnsafe<Static<T> | null> {
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type, "null"], ...options });
}
