/**
 * JSON schemas shared by the Core REST API's route groups (request validation, response serialization
 * and the OpenAPI document at /api/v2/openapi.json). Object schemas have `additionalProperties: false`:
 * unknown request fields are 422, not ignored.
 */
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from "../../state-admin/page-request.js";

const ERROR = { $ref: "ApiError#" } as const;

/** The bearer token requirement of every route but the OpenAPI document and /config/ui. */
export const SECURITY = [{ bearerAuth: [] }];

/** Error answers every authenticated route may give. */
export const READ_ERRORS = {
  401: { description: "Missing or wrong bearer token (api.auth_tokens)", ...ERROR },
  404: { description: "Unknown dag run, task instance, asset or key", ...ERROR },
  422: { description: "Invalid key, value or request", ...ERROR },
  501: { description: "The configured server backend cannot do this (for example list keys)", ...ERROR },
} as const;

/** Error answers of the writing routes. */
export const WRITE_ERRORS = {
  ...READ_ERRORS,
  409: { description: "if_version does not match the stored version", ...ERROR },
  413: { description: "Value over state_store.max_value_storage_bytes", ...ERROR },
} as const;

/** A 204 answer. */
export const NO_CONTENT = { description: "Done", type: "null" } as const;

/** A stored state value: any JSON value except a top-level null. */
export const STATE_VALUE = {
  description: "Any JSON value except a top-level null (nested nulls are fine)",
  not: { type: "null" },
} as const;

/** `if_version` of the writing routes. */
export const IF_VERSION = {
  type: "integer",
  minimum: 1,
  description: "Compare-and-set: write only if the key is at this version, else 409",
} as const;

const TIMESTAMP = { type: ["string", "null"], format: "date-time" } as const;

const ENTRY_PROPERTIES = {
  key: { type: "string" },
  value: { description: "The stored JSON value; for an offloaded value the reference envelope as stored" },
  version: {
    type: "integer",
    description: "Incremented by every write, from 1 (0: the backend keeps no versions)",
  },
  updated_at: {
    ...TIMESTAMP,
    description: "Last write, ISO-8601 UTC (null when the backend does not record it)",
  },
  expires_at: { ...TIMESTAMP, description: "Expiry, ISO-8601 UTC; null = never" },
  is_reference: {
    type: "boolean",
    description: 'True when value is exactly a reference envelope {"__airflow_state_ref__": ref}',
  },
  ref: { type: "string", description: "The reference, when is_reference" },
} as const;

const ENTRY_REQUIRED = ["key", "value", "version", "updated_at", "expires_at", "is_reference"];

/** A task state entry. */
export const TASK_STATE_ENTRY = {
  type: "object",
  additionalProperties: false,
  required: ENTRY_REQUIRED,
  properties: ENTRY_PROPERTIES,
} as const;

/** Who last wrote an asset state key. */
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

/** An asset state entry. */
export const ASSET_STATE_ENTRY = {
  type: "object",
  additionalProperties: false,
  required: [...ENTRY_REQUIRED, "last_updated_by"],
  properties: { ...ENTRY_PROPERTIES, last_updated_by: LAST_UPDATED_BY },
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
