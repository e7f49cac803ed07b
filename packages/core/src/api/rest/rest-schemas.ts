/**
 * Schemas shared by the Core REST API's route groups, written once in TypeBox: Fastify validates requests
 * and serializes answers with them, @fastify/swagger documents them at /api/v2/openapi.json, and the
 * TypeBox type provider derives the route handlers' types from them. Object schemas have
 * `additionalProperties: false`: unknown request fields are 422, not ignored.
 */
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from "@tidemark/state";
import { type TObjectOptions, type TProperties, Type } from "typebox";
import type { CoreApiErrorBody } from "../api-error.js";
import { nullable } from "../nullable.js";

/** An error answer: the shared `CoreApiError` schema. */
function errorAnswer(description: string) {
  return Type.Unsafe<CoreApiErrorBody>({ description, $ref: "CoreApiError#" });
}

/**
 * An object schema that refuses unknown members.
 *
 * @param properties - the members (wrap optional ones in `Type.Optional`).
 * @param options - further keywords (description, OpenAPI `headers`…).
 * @returns the schema, with `additionalProperties: false`.
 */
export function closedObject<P extends TProperties>(properties: P, options: TObjectOptions = {}) {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

/** The bearer token requirement of every route but the OpenAPI document and /config/ui. */
export const SECURITY = [{ bearerAuth: [] }];

/** Error answers every authenticated route may give. */
export const READ_ERRORS = {
  400: errorAnswer("Malformed If-Match or If-None-Match"),
  401: errorAnswer("Missing or wrong bearer token (api.auth_tokens)"),
  404: errorAnswer("Unknown dag run, task instance, asset or key"),
  422: errorAnswer("Invalid key, value or request, or a value over state_store.max_value_storage_bytes"),
  501: errorAnswer("The configured server backend cannot do this (for example list keys)"),
};

/** Error answers of the writing routes. */
export const WRITE_ERRORS = {
  ...READ_ERRORS,
  409: errorAnswer("Another writer deleted the key while it was written; read it again"),
  412: errorAnswer("If-Match / If-None-Match does not hold; ETag: the live version"),
  413: errorAnswer("Request body over the server's body limit"),
};

/** The `ETag` header of answers that carry a version. */
export const ETAG_HEADER = {
  etag: { type: "string", description: 'The entry\'s version as a strong entity tag, for example "3"' },
} as const;

/** A 204 answer: documented as `null`, typed as no body, since the handler sends none. */
function noContent(description: string, headers?: object) {
  return Type.Unsafe<undefined>(Type.Null({ description, ...(headers === undefined ? {} : { headers }) }));
}

/** A 204 answer. */
export const NO_CONTENT = noContent("Done");

/** A PUT's 204 answer: no body, the new version in `ETag`. */
export const WRITTEN = noContent(
  "Written; ETag: the new version. With Prefer: return=representation: 200 and the entry",
  ETAG_HEADER,
);

/** A stored state value: any JSON value except a top-level null. */
export const STATE_VALUE = Type.Unsafe<unknown>({
  description: "Any JSON value except a top-level null (nested nulls are fine)",
  not: { type: "null" },
});

/** A `{"value"}` request body. */
export const VALUE_BODY = closedObject({ value: STATE_VALUE });

/** The key of a state route: Fastify's wildcard `*`, documented as `key`. */
export const KEY_PARAM = {
  "*": Type.String({ description: "The key, percent-encoded (encodeURIComponent); may contain /" }),
};

/** `restore_reference` of the state writes. */
export const RESTORE_REFERENCE_QUERY_PROPERTY = {
  restore_reference: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'The seal (ref_seal) an export recorded for this reference envelope {"__airflow_state_ref__": ref} under this key (tidemark state-store import); without a matching seal such a value is 422',
    }),
  ),
};

const TIMESTAMP = Type.String({ format: "date-time" });

const KEY = Type.String();
const VALUE = Type.Unknown({
  description: "The stored JSON value; for an offloaded value the reference envelope as stored",
});
const UPDATED_AT = nullable(TIMESTAMP, {
  description: "Last write, ISO-8601 UTC (null when the backend does not record it)",
});

/** Tidemark's fields beyond Airflow's shapes, present only with `?include=`. */
const EXTRA_PROPERTIES = {
  version: Type.Optional(
    Type.Integer({
      description: "include=version: incremented by every write, from 1 (0: the backend keeps no versions)",
    }),
  ),
  is_reference: Type.Optional(
    Type.Boolean({
      description:
        'include=reference: true when value is exactly a reference envelope {"__airflow_state_ref__": ref}',
    }),
  ),
  ref: Type.Optional(Type.String({ description: "include=reference: the reference, when is_reference" })),
  ref_seal: Type.Optional(
    Type.String({
      description:
        "include=reference: the reference's seal, which an import sends as restore_reference to write this envelope back under this key",
    }),
  ),
};

const WRITER = closedObject({
  kind: Type.Unsafe<"task" | "watcher" | "api">({ type: "string", enum: ["task", "watcher", "api"] }),
  dag_id: nullable(Type.String()),
  run_id: nullable(Type.String()),
  task_id: nullable(Type.String()),
  map_index: nullable(Type.Integer()),
});

/** Who last wrote an asset state key (Airflow's `AssetStateStoreLastUpdatedBy`). */
export const LAST_UPDATED_BY = nullable(WRITER);

const TASK_STATE_ENTRY_PROPERTIES = {
  key: KEY,
  value: VALUE,
  updated_at: UPDATED_AT,
  expires_at: nullable(TIMESTAMP, { description: "Expiry, ISO-8601 UTC; null = never" }),
  ...EXTRA_PROPERTIES,
  last_updated_by: Type.Optional(
    nullable(WRITER, {
      description: "include=writer: null, task state records no writer beyond its task instance",
    }),
  ),
};

/** A task state entry: Airflow's `{key, value, updated_at, expires_at}`, extras with `?include=`. */
export const TASK_STATE_ENTRY = closedObject(TASK_STATE_ENTRY_PROPERTIES);

/** {@link TASK_STATE_ENTRY} as a GET answers it, its version in `ETag`. */
export const TASK_STATE_ENTRY_READ = closedObject(TASK_STATE_ENTRY_PROPERTIES, { headers: ETAG_HEADER });

const ASSET_STATE_ENTRY_PROPERTIES = {
  key: KEY,
  value: VALUE,
  updated_at: UPDATED_AT,
  last_updated_by: LAST_UPDATED_BY,
  ...EXTRA_PROPERTIES,
};

/** An asset state entry: Airflow's `{key, value, updated_at, last_updated_by}`, extras with `?include=`. */
export const ASSET_STATE_ENTRY = closedObject(ASSET_STATE_ENTRY_PROPERTIES);

/** {@link ASSET_STATE_ENTRY} as a GET answers it, its version in `ETag`. */
export const ASSET_STATE_ENTRY_READ = closedObject(ASSET_STATE_ENTRY_PROPERTIES, { headers: ETAG_HEADER });

/** `limit` and `offset` of every listing. */
export const PAGE_QUERY_PROPERTIES = {
  limit: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: MAX_PAGE_LIMIT,
      default: DEFAULT_PAGE_LIMIT,
      description: `Most items returned (default ${DEFAULT_PAGE_LIMIT}, max ${MAX_PAGE_LIMIT})`,
    }),
  ),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: "Items skipped" })),
};

/** `cursor` of the state listings: Tidemark's keyset paging beside Airflow's limit and offset. */
export const CURSOR_QUERY_PROPERTY = {
  cursor: Type.Optional(
    Type.String({
      description:
        'Continue after the previous page: the cursor of its Link: <…>; rel="next" header. Opaque; offset is ignored with it',
    }),
  ),
};

/** The `Link` header of a state listing that has a next page (RFC 8288). */
export const NEXT_PAGE_LINK_HEADER = {
  link: {
    type: "string",
    description:
      "Sent only when another page follows: <…?cursor=…>; rel=\"next\", this listing's URL with the next page's cursor (and no offset). Keys written or deleted meanwhile shift nothing",
  },
} as const;

/** `prefix` of the state listings. */
export const PREFIX_QUERY_PROPERTY = {
  prefix: Type.Optional(
    Type.String({ description: "Only keys starting with this text, matched literally (% and _ too)" }),
  ),
};

/** `search` of the browsing listings. */
export const SEARCH_QUERY_PROPERTY = {
  search: Type.Optional(Type.String({ description: "Case-insensitive substring filter" })),
};

/** An asset as the asset listings answer it. */
export const ASSET_SUMMARY = closedObject({
  id: Type.Integer(),
  name: Type.String(),
  uri: Type.String(),
  active: Type.Boolean({
    description: "False once deactivated: its state is read-only until the next cleanup",
  }),
  created_at: TIMESTAMP,
  state_key_count: Type.Integer(),
});
