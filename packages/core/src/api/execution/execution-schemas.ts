/**
 * JSON schemas of the Execution API (request validation, response serialization and the OpenAPI
 * document). Every object schema has `additionalProperties: false`: unknown fields are 422, not ignored.
 */

const ERROR_RESPONSE = { $ref: "ApiError#" } as const;

/** Error answers every authenticated route may give. */
const AUTH_ERRORS = {
  401: { description: "Missing, malformed, tampered or expired token", ...ERROR_RESPONSE },
  403: { description: "The token does not grant this task instance or asset", ...ERROR_RESPONSE },
  404: { description: "Task instance, asset or key not found", ...ERROR_RESPONSE },
  422: { description: "Invalid key, value or request", ...ERROR_RESPONSE },
} as const;

const WRITE_ERRORS = {
  ...AUTH_ERRORS,
  409: { description: "A compare-and-set condition failed", ...ERROR_RESPONSE },
  413: { description: "Value over state_store.max_value_storage_bytes", ...ERROR_RESPONSE },
} as const;

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
  properties: { ti_id: { type: "string", minLength: 1, description: "Task instance id" } },
} as const;

const TI_KEY_PARAMS = {
  type: "object",
  additionalProperties: false,
  required: ["ti_id", "*"],
  properties: {
    ti_id: { type: "string", minLength: 1, description: "Task instance id" },
    "*": { type: "string", description: "The key, percent-encoded with encodeURIComponent; may contain /" },
  },
} as const;

const VERSIONED_VALUE = {
  type: "object",
  additionalProperties: false,
  required: ["value", "version"],
  properties: {
    value: { description: "The stored JSON value (a reference envelope when a worker backend offloaded it)" },
    version: { type: ["integer", "null"], description: "Incremented by every write, from 1" },
  },
} as const;

const CAS_PROPERTIES = {
  if_version: { type: "integer", minimum: 1, description: "Write only at this version (else 409)" },
  if_absent: { type: "boolean", description: "Write only when no live value exists (else 409)" },
} as const;

/** `GET /execution/task-instances/{ti_id}`. */
export const GET_TASK_INSTANCE_SCHEMA = {
  tags: ["task-instances"],
  summary: "The task instance, its try number, inlets and outlets",
  security: SECURITY,
  params: TI_PARAMS,
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
    "Report the task instance's state; success clears its task state with state_store.clear_on_success",
  security: SECURITY,
  params: TI_PARAMS,
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
  response: { 200: VERSIONED_VALUE, ...AUTH_ERRORS },
} as const;

/** `PUT /execution/store/ti/{ti_id}/{key}`. */
export const PUT_TASK_STATE_SCHEMA = {
  tags: ["task-state"],
  summary: "Write a task state key",
  security: SECURITY,
  params: TI_KEY_PARAMS,
  body: {
    type: "object",
    additionalProperties: false,
    required: ["value"],
    properties: {
      value: STATE_VALUE,
      expires_at: {
        description:
          "Absolute expiry, ISO-8601 with an offset (UTC recommended); null never expires; absent: now + state_store.default_retention_days",
        anyOf: [{ type: "string", format: "date-time" }, { type: "null" }],
      },
      ...CAS_PROPERTIES,
    },
  },
  response: { 204: { description: "Written", type: "null" }, ...WRITE_ERRORS },
} as const;

/** `DELETE /execution/store/ti/{ti_id}/{key}`. */
export const DELETE_TASK_STATE_SCHEMA = {
  tags: ["task-state"],
  summary: "Delete a task state key (a missing key is not an error)",
  security: SECURITY,
  params: TI_KEY_PARAMS,
  response: { 204: { description: "Deleted", type: "null" }, ...AUTH_ERRORS },
} as const;

/** `DELETE /execution/store/ti/{ti_id}`. */
export const CLEAR_TASK_STATE_SCHEMA = {
  tags: ["task-state"],
  summary: "Delete every task state key of the task instance (its own map index only)",
  security: SECURITY,
  params: TI_PARAMS,
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
      ...(withKey ? { key: { type: "string", description: "The key (may contain /)" } } : {}),
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
      response: { 200: VERSIONED_VALUE, ...AUTH_ERRORS },
    },
    put: {
      tags,
      summary: `Write an asset state key (asset by ${by}); records the writer`,
      security: SECURITY,
      querystring: assetQuery(by, true),
      body: {
        type: "object",
        additionalProperties: false,
        required: ["value"],
        properties: { value: STATE_VALUE, ...CAS_PROPERTIES },
      },
      response: { 204: { description: "Written", type: "null" }, ...WRITE_ERRORS },
    },
    delete: {
      tags,
      summary: `Delete an asset state key (asset by ${by})`,
      security: SECURITY,
      querystring: assetQuery(by, true),
      response: { 204: { description: "Deleted", type: "null" }, ...AUTH_ERRORS },
    },
    clear: {
      tags,
      summary: `Delete every asset state key of the asset (asset by ${by})`,
      security: SECURITY,
      querystring: assetQuery(by, false),
      response: { 204: { description: "Cleared", type: "null" }, ...AUTH_ERRORS },
    },
  };
}
