import { StateStoreError } from "@tidemark/state";
import { type Static, Type } from "typebox";
import type { AssetStateEntryJson, TaskStateEntryJson } from "../../state-admin/wire-types.js";
import type { ASSET_STATE_ENTRY, TASK_STATE_ENTRY } from "./rest-schemas.js";

/**
 * The tokens of `?include=` on the Core REST API's state routes: Tidemark's fields beyond Airflow's
 * shapes, sent only when asked for. `version` adds `version`; `reference` adds `is_reference` and `ref`;
 * `writer` adds `last_updated_by` to task state entries (asset state entries always carry it, as
 * Airflow's do).
 */
export const INCLUDE_TOKENS = ["version", "reference", "writer"] as const;

/** One token of {@link INCLUDE_TOKENS}. */
export type IncludeToken = (typeof INCLUDE_TOKENS)[number];

/** The `include` query parameter's schema (its tokens are checked by {@link parseInclude}). */
export const INCLUDE_QUERY_PROPERTY = {
  include: Type.Optional(
    Type.String({
      description: `Tidemark's extra entry fields, comma-separated: ${INCLUDE_TOKENS.join(", ")} (version: version; reference: is_reference, ref and its ref_seal; writer: last_updated_by on task state)`,
      examples: ["version,reference,writer"],
    }),
  ),
};

/**
 * Parses `?include=`.
 *
 * @param text - the parameter, or undefined.
 * @returns the requested tokens (empty: Airflow's shapes exactly).
 * @throws StateStoreError `INVALID_VALUE` (422) naming an unknown token and the known ones.
 */
export function parseInclude(text: string | undefined): ReadonlySet<IncludeToken> {
  const tokens = new Set<IncludeToken>();
  if (text === undefined) return tokens;
  for (const raw of text.split(",")) {
    const token = raw.trim();
    if (token === "") continue;
    if (!(INCLUDE_TOKENS as readonly string[]).includes(token)) {
      throw new StateStoreError(
        "INVALID_VALUE",
        `include has the unknown value ${JSON.stringify(token)}; use a comma-separated list of ${INCLUDE_TOKENS.join(", ")}`,
        { details: { field: "include", value: token } },
      );
    }
    tokens.add(token as IncludeToken);
  }
  return tokens;
}

function extras(
  entry: TaskStateEntryJson,
  include: ReadonlySet<IncludeToken>,
): Pick<Static<typeof TASK_STATE_ENTRY>, "version" | "is_reference" | "ref" | "ref_seal"> {
  return {
    ...(include.has("version") ? { version: entry.version } : {}),
    ...(include.has("reference")
      ? {
          is_reference: entry.is_reference,
          ...(entry.ref === undefined ? {} : { ref: entry.ref }),
          ...(entry.ref_seal === undefined ? {} : { ref_seal: entry.ref_seal }),
        }
      : {}),
  };
}

/**
 * A task state entry as the Core REST API answers it: Airflow's `{key, value, updated_at, expires_at}`
 * plus what `include` asks for.
 *
 * @param entry - the entry as {@link StateAdmin} returns it.
 * @param include - the requested extras.
 * @returns the body.
 */
export function taskEntryBody(
  entry: TaskStateEntryJson,
  include: ReadonlySet<IncludeToken>,
): Static<typeof TASK_STATE_ENTRY> {
  return {
    key: entry.key,
    value: entry.value,
    updated_at: entry.updated_at,
    expires_at: entry.expires_at,
    ...extras(entry, include),
    ...(include.has("writer") ? { last_updated_by: null } : {}),
  };
}

/**
 * An asset state entry as the Core REST API answers it: Airflow's `{key, value, updated_at,
 * last_updated_by}` plus what `include` asks for.
 *
 * @param entry - the entry as {@link StateAdmin} returns it.
 * @param include - the requested extras.
 * @returns the body.
 */
export function assetEntryBody(
  entry: AssetStateEntryJson,
  include: ReadonlySet<IncludeToken>,
): Static<typeof ASSET_STATE_ENTRY> {
  return {
    key: entry.key,
    value: entry.value,
    updated_at: entry.updated_at,
    last_updated_by: entry.last_updated_by,
    ...extras(entry, include),
  };
}
