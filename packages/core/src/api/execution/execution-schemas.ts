/**
 * JSON schemas of the Execution API (request validation, response serialization and the OpenAPI
 * document). Every object schema has `additionalProperties: false`: unknown fields and query parameters
 * are 422, not ignored (reference: Airflow's strict Execution API models).
 */

const ERROR_RESPONSE = { $ref: "ApiError#" } as const;

/** Error answers every authenticated route may give. */
const AUTH_ERRORS = {
  401: { description: "Missing, malformed, tampered or expired token", ...ERROR_RESPONSE },
  403: { description: "The token does not grant this task instance or asset", ...ERROR_RESPONSE },
  404: { description: "Task instance, asset or key not found", ...ERROR_RESPONSE },
  422: { description: "Invalid key, value or request", ...ERROR_RESPONSE },
} as const;

const VERSION_HEADER = {
  "Airflow-API-Version": {
    description: "The Execution API version that served the request (the request's, or the newest)",
    schema: { type: "string" },
  },
  "Tidemark-Extensions": {
    description: "Tidemark's extensions this server offers, comma-separated (see GET /tidemark/extensions)",
    schema: { type: "string" },
  },
} as const;

const ETAG_HEADER = {
  ETag: {
    description: 'The version of the value as a strong entity tag, for example "3"',
    schema: { type: "string" },
  },
  ...VERSION_HEADER,
} as const;

const CONDITIONAL_ERRORS = {
  400: { description: "Malformed If-Match or If-None-Match", ...ERROR_RESPONSE },
  412: {
    description: "The If-Match / If-None-Match precondition failed; ETag gives the current version",
    ...ERROR_RESPONSE,
  },
  501: { description: "Conditional request on a server backend without compare-and-set", ...ERROR_RESPONSE },
} as const;

const WRITE_ERRORS = {
  ...AUTH_ERRORS,
  ...CONDITIONAL_ERRORS,
  413: { description: "Value over state_store.max_value_storage_bytes", ...ERROR_RESPONSE },
} as const;

/** Request headers of the Execution API (documented; other headers are allowed). */
const REQUEST_HEADERS = {
  type: "object",
  properties: {
    "airflow-api-version": {
      type: "string",
      description: "The Execution API version (YYYY-MM-DD); default the newest",
    },
  },
} as const;

/** Request headers of a conditional PUT or DELETE. */
const CONDITIONAL_HEADERS = {
  type: "object",
  properties: {
    ...REQUEST_HEADERS.properties,
    "if-match": {
      type: "string",
      description: 'Act only if the live value is at one of these versions ("3", "3", "4") or exists (*)',
    },
    "if-none-match": { type: "string", description: "*: act only if no live value exists" },
  },
} as const;

/** No query parameters: any is 422. */
const NO_QUERY = { type: "object", additionalProperties: false, properties: {} } as const;

const SECURITY = [{ bearerAuth: [] }];

/** A stored state value: any JSON value except a top-level null. */
const STATE_VALUE = {
  description: "Any JSON value except a top-level null (nested nulls are fine)",
  not: { type: "null" },
} as const;

const ASSET_REF = {
  type: "object",
  additionalProperties: false,
  required: ["name", "uri"],
  properties: { name: { type: "string" }, uri: { type: "string" } },
} as const;

const TI_PARAMS = {
  type: "object",
  additionalProperties: false,
  required: ["ti_id"],
  properties: { ti_id: { type: "string", format: "uuid", description: "Task instance id (a UUID)" } },
} as const;

const TI_KEY_PARAMS = {
  type: "object",
  additionalProperties: false,
  required: ["ti_id", "*"],
  properties: {
    ti_id: { type: "string", format: "uuid", description: "Task instance id (a UUID)" },
    "*": { type: "string", description: "The key, percent-encoded with encodeURIComponent; may contain /" },
  },
} as const;

/** The answer of a GET: `{"value"}` exactly (reference: Airflow's strict response models); the version is the ETag. */
const STATE_VALUE_RESPONSE = {
  type: "object",
  additionalProperties: false,
  required: ["value"],
  headers: ETAG_HEADER,
  properties: {
    value: { description: "The stored JSON value (a reference envelope when a worker backend offloaded it)" },
  },
} as const;

const WRITTEN = {
  description: "Written; ETag is the new version",
  type: "null",
  headers: ETAG_HEADER,
} as const;

/** `GET /execution/tidemark/extensions`. */
export const GET_EXTENSIONS_SCHEMA = {
  tags: ["tidemark"],
  summary: "Tidemark's extensions to the Execution API (no token needed)",
  querystring: NO_QUERY,
  response: {
    200: {
      type: "object",
      additionalProperties: false,
      required: ["extensions"],
      headers: VERSION_HEADER,
      properties: { extensions: { type: "array", items: { type: "string" } } },
    },
  },
} as const;

/** `GET /execution/task-instances/{ti_id}`. */
export const GET_TASK_INSTANCE_SCHEMA = {
  tags: ["task-instances"],
  summary: "The task instance, its try number, inlets and outlets (Tidemark extension task-instance-info)",
  security: SECURITY,
  params: TI_PARAMS,
  querystring: NO_QUERY,
  headers: REQUEST_HEADERS,
  response: {
    200: {
      type: "object",
      additionalProperties: false,
      required: [
        "id",
        "dag_id",
        "run_id",
        "task_id",
        "map_index",
        "state",
        "try_number",
        "inlets",
        "outlets",
      ],
      properties: {
        id: { type: "string" },
        dag_id: { type: "string" },
        run_id: { type: "string" },
        task_id: { type: "string" },
        map_index: { type: "integer" },
        state: { type: ["string", "null"] },
        try_number: { type: "integer" },
        inlets: { type: "array", items: ASSET_REF },
        outlets: { type: "array", items: ASSET_REF },
      },
    },
    ...AUTH_ERRORS,
  },
} as const;

/** `PATCH /execution/task-instances/{ti_id}/state`. */
export const PATCH_TASK_INSTANCE_STATE_SCHEMA = {
  tags: ["task-instances"],
  summary:
    "Report the task instance's state; success clears its task state with state_store.clear_on_success (Tidemark extension task-instance-info)",
  security: SECURITY,
  params: TI_PARAMS,
  querystring: NO_QUERY,
  headers: REQUEST_HEADERS,
  body: {
    type: "object",
    additionalProperties: false,
    required: ["state"],
    properties: { state: { type: "string", enum: ["running", "success", "failed", "up_for_retry"] } },
  },
  response: { 204: { description: "State recorded", type: "null" }, ...AUTH_ERRORS },
} as const;

/** `GET /execution/store/ti/{ti_id}/{key}`. */
export const GET_TASK_STATE_SCHEMA = {
  tags: ["task-state"],
  summary: "Read a task state key",
  security: SECURITY,
  params: TI_KEY_PARAMS,
  querystring: NO_QUERY,
  headers: REQUEST_HEADERS,
  response: { 200: STATE_VALUE_RESPONSE, ...AUTH_ERRORS },
} as const;

/** `PUT /execution/store/ti/{ti_id}/{key}`. */
export const PUT_TASK_STATE_SCHEMA = {
  tags: ["task-state"],
  summary: "Write a task state key",
  security: SECURITY,
  params: TI_KEY_PARAMS,
  querystring: NO_QUERY,
  headers: CONDITIONAL_HEADERS,
  body: {
    type: "object",
    additionalProperties: false,
    required: ["value"],
    properties: {
      value: STATE_VALUE,
      expires_at: {
        description:
          'Absolute expiry, ISO-8601 with an offset (UTC recommended); null or absent never expires (as Airflow); "default": now + state_store.default_retention_days (Tidemark extension default-expiry)',
        anyOf: [{ type: "string" }, { type: "null" }],
      },
    },
  },
  response: { 204: WRITTEN, ...WRITE_ERRORS },
} as const;

/** `DELETE /execution/store/ti/{ti_id}/{key}`. */
export const DELETE_TASK_STATE_SCHEMA = {
  tags: ["task-state"],
  summary: "Delete a task state key (a missing key is not an error unless If-Match is sent)",
  security: SECURITY,
  params: TI_KEY_PARAMS,
  querystring: NO_QUERY,
  headers: CONDITIONAL_HEADERS,
  response: { 204: { description: "Deleted", type: "null" }, ...AUTH_ERRORS, ...CONDITIONAL_ERRORS },
} as const;

/** `DELETE /execution/store/ti/{ti_id}`. */
export const CLEAR_TASK_STATE_SCHEMA = {
  tags: ["task-state"],
  summary: "Delete every task state key of the task instance (its own map index only)",
  security: SECURITY,
  params: TI_PARAMS,
  querystring: NO_QUERY,
  headers: REQUEST_HEADERS,
  response: { 204: { description: "Cleared", type: "null" }, ...AUTH_ERRORS },
} as const;

/** Which query parameter addresses the asset on a by-name or by-uri route. */
export type AssetAddressing = "name" | "uri";

function assetQuery(by: AssetAddressing, withKey: boolean) {
  const required: string[] = withKey ? [by, "key"] : [by];
  return {
    type: "object",
    additionalProperties: false,
    required,
    properties: {
      [by]: { type: "string", minLength: 1, description: by === "name" ? "Asset name" : "Asset URI" },
      ...(withKey ? { key: { type: "string", minLength: 1, description: "The key (may contain /)" } } : {}),
    },
  } as const;
}

/**
 * The four asset state route schemas for one addressing (`by-name` or `by-uri`).
 *
 * @param by - `name` or `uri`.
 * @returns schemas of GET/PUT/DELETE `…/value` and DELETE `…/clear`.
 */
export function assetStateSchemas(by: AssetAddressing) {
  const tags = ["asset-state"];
  return {
    get: {
      tags,
      summary: `Read an asset state key (asset by ${by})`,
      security: SECURITY,
      querystring: assetQuery(by, true),
      headers: REQUEST_HEADERS,
      response: { 200: STATE_VALUE_RESPONSE, ...AUTH_ERRORS },
    },
    put: {
      tags,
      summary: `Write an asset state key (asset by ${by}); records the writer`,
      security: SECURITY,
      querystring: assetQuery(by, true),
      headers: CONDITIONAL_HEADERS,
      body: {
        type: "object",
        additionalProperties: false,
        required: ["value"],
        properties: { value: STATE_VALUE },
      },
      response: { 204: WRITTEN, ...WRITE_ERRORS },
    },
    delete: {
      tags,
      summary: `Delete an asset state key (asset by ${by})`,
      security: SECURITY,
      querystring: assetQuery(by, true),
      headers: CONDITIONAL_HEADERS,
      response: { 204: { description: "Deleted", type: "null" }, ...AUTH_ERRORS, ...CONDITIONAL_ERRORS },
    },
    clear: {
      tags,
      summary: `Delete every asset state key of the asset (asset by ${by})`,
      security: SECURITY,
      querystring: assetQuery(by, false),
      headers: REQUEST_HEADERS,
      response: { 204: { description: "Cleared", type: "null" }, ...AUTH_ERRORS },
    },
  };
}
