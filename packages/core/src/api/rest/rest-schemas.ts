/**
 * JSON schemas shared by the Core REST API's route groups (request validation, response serialization
 * and the OpenAPI document at /api/v2/openapi.json). Object schemas have `additionalProperties: false`:
 * unknown request fields are 422, not ignored.
 */
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from "../../state-admin/page-request.js";

const ERROR = { $ref: "CoreApiError#" } as const;

/** The bearer token requirement of every route but the OpenAPI document and /config/ui. */
export const SECURITY = [{ bearerAuth: [] }];

/** Error answers every authenticated route may give. */
export const READ_ERRORS = {
  400: { description: "Malformed If-Match or If-None-Match", ...ERROR },
  401: { description: "Missing or wrong bearer token (api.auth_tokens)", ...ERROR },
  404: { description: "Unknown dag run, task instance, asset or key", ...ERROR },
  422: {
    description: "Invalid key, value or request, or a value over state_store.max_value_storage_bytes",
    ...ERROR,
  },
  501: { description: "The configured server backend cannot do this (for example list keys)", ...ERROR },
} as const;

/** Error answers of the writing routes. */
export const WRITE_ERRORS = {
  ...READ_ERRORS,
  409: { description: "Another writer deleted the key while it was written; read it again", ...ERROR },
  412: { description: "If-Match / If-None-Match does not hold; ETag: the live version", ...ERROR },
  413: { description: "Request body over the server's body limit", ...ERROR },
} as const;

/** A 204 answer. */
export const NO_CONTENT = { description: "Done", type: "null" } as const;

/** A stored state value: any JSON value except a top-level null. */
export const STATE_VALUE = {
  description: "Any JSON value except a top-level null (nested nulls are fine)",
  not: { type: "null" },
} as const;

/** The `ETag` header of answers that carry a version. */
export const ETAG_HEADER = {
  etag: { type: "string", description: 'The entry\'s version as a strong entity tag, for example "3"' },
} as const;

/** A PUT's 204 answer: no body, the new version in `ETag`. */
export const WRITTEN = {
  description: "Written; ETag: the new version. With Prefer: return=representation: 200 and the entry",
  type: "null",
  headers: ETAG_HEADER,
} as const;

const TIMESTAMP = { type: ["string", "null"], format: "date-time" } as const;

const KEY = { type: "string" } as const;
const VALUE = {
  description: "The stored JSON value; for an offloaded value the reference envelope as stored",
} as const;
const UPDATED_AT = {
  ...TIMESTAMP,
  description: "Last write, ISO-8601 UTC (null when the backend does not record it)",
} as const;

/** Tidemark's fields beyond Airflow's shapes, present only with `?include=`. */
const EXTRA_PROPERTIES = {
  version: {
    type: "integer",
    description: "include=version: incremented by every write, from 1 (0: the backend keeps no versions)",
  },
  is_reference: {
    type: "boolean",
    description:
      'include=reference: true when value is exactly a reference envelope {"__airflow_state_ref__": ref}',
  },
  ref: { type: "string", description: "include=reference: the reference, when is_reference" },
  ref_seal: {
    type: "string",
    description:
      "include=reference: the reference's seal, which an import sends as restore_reference to write this envelope back under this key",
  },
} as const;

/** Who last wrote an asset state key (Airflow's `AssetStateStoreLastUpdatedBy`). */
export const LAST_UPDATED_BY = {
  type: ["object", "null"],
  additionalProperties: false,
  required: ["kind", "dag_id", "run_id", "task_id", "map_index"],
  properties: {
    kind: { type: "string", enum: ["task", "watcher", "api"] },
    dag_id: { type: ["string", "null"] },
    run_id: { type: ["string", "null"] },
    task_id: { type: ["string", "null"] },
    map_index: { type: ["integer", "null"] },
  },
} as const;

/** A task state entry: Airflow's `{key, value, updated_at, expires_at}`, extras with `?include=`. */
export const TASK_STATE_ENTRY = {
  type: "object",
  additionalProperties: false,
  required: ["key", "value", "updated_at", "expires_at"],
  properties: {
    key: KEY,
    value: VALUE,
    updated_at: UPDATED_AT,
    expires_at: { ...TIMESTAMP, description: "Expiry, ISO-8601 UTC; null = never" },
    ...EXTRA_PROPERTIES,
    last_updated_by: {
      ...LAST_UPDATED_BY,
      description: "include=writer: null, task state records no writer beyond its task instance",
    },
  },
} as const;

/** An asset state entry: Airflow's `{key, value, updated_at, last_updated_by}`, extras with `?include=`. */
export const ASSET_STATE_ENTRY = {
  type: "object",
  additionalProperties: false,
  required: ["key", "value", "updated_at", "last_updated_by"],
  properties: {
    key: KEY,
    value: VALUE,
    updated_at: UPDATED_AT,
    last_updated_by: LAST_UPDATED_BY,
    ...EXTRA_PROPERTIES,
  },
} as const;

/** `limit` and `offset` of every listing. */
export const PAGE_QUERY_PROPERTIES = {
  limit: {
    type: "integer",
    minimum: 0,
    maximum: MAX_PAGE_LIMIT,
    default: DEFAULT_PAGE_LIMIT,
    description: `Most items returned (default ${DEFAULT_PAGE_LIMIT}, max ${MAX_PAGE_LIMIT})`,
  },
  offset: { type: "integer", minimum: 0, default: 0, description: "Items skipped" },
} as const;

/** `prefix` of the state listings. */
export const PREFIX_QUERY_PROPERTY = {
  prefix: {
    type: "string",
    description: "Only keys starting with this text, matched literally (% and _ too)",
  },
} as const;

/** `search` of the browsing listings. */
export const SEARCH_QUERY_PROPERTY = {
  search: { type: "string", description: "Case-insensitive substring filter" },
} as const;

/** An asset as the asset listings answer it. */
export const ASSET_SUMMARY = {
  type: "object",
  additionalProperties: false,
  required: ["id", "name", "uri", "active", "created_at", "state_key_count"],
  properties: {
    id: { type: "integer" },
    name: { type: "string" },
    uri: { type: "string" },
    active: {
      type: "boolean",
      description: "False once deactivated: its state is read-only until the next cleanup",
    },
    created_at: { type: "string", format: "date-time" },
    state_key_count: { type: "integer" },
  },
} as const;
