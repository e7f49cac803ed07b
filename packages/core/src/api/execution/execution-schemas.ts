/**
 * Schemas of the Execution API, written once in TypeBox: Fastify validates requests and serializes
 * answers with them, @fastify/swagger documents them, and the TypeBox type provider derives the route
 * handlers' types from them. Every object schema has `additionalProperties: false`: unknown fields and
 * query parameters are 422, not ignored (reference: Airflow's strict Execution API models).
 */
import { Type } from "typebox";
import type { ApiErrorBody } from "../api-error.js";
import { nullable } from "../nullable.js";
import type { ExecutionReportedState } from "./execution-metadata.js";

/** An error answer: the shared `ApiError` schema. */
function errorAnswer(description: string) {
  return Type.Unsafe<ApiErrorBody>({ description, $ref: "ApiError#" });
}

/** Error answers every authenticated route may give. */
const AUTH_ERRORS = {
  401: errorAnswer("Missing, malformed, tampered or expired token"),
  403: errorAnswer("The token does not grant this task instance or asset"),
  404: errorAnswer("Task instance, asset or key not found"),
  422: errorAnswer("Invalid key, value or request"),
};

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
  400: errorAnswer("Malformed If-Match or If-None-Match"),
  412: errorAnswer("The If-Match / If-None-Match precondition failed; ETag gives the current version"),
  501: errorAnswer("Conditional request on a server backend without compare-and-set"),
};

const WRITE_ERRORS = {
  ...AUTH_ERRORS,
  ...CONDITIONAL_ERRORS,
  413: errorAnswer("Value over state_store.max_value_storage_bytes"),
};

const VERSION_REQUEST_HEADER = {
  "airflow-api-version": Type.Optional(
    Type.String({ description: "The Execution API version (YYYY-MM-DD); default the newest" }),
  ),
};

/** Request headers of the Execution API (documented; other headers are allowed). */
const REQUEST_HEADERS = Type.Object(VERSION_REQUEST_HEADER);

/** Request headers of a conditional PUT or DELETE. */
const CONDITIONAL_HEADERS = Type.Object({
  ...VERSION_REQUEST_HEADER,
  "if-match": Type.Optional(
    Type.String({
      description: 'Act only if the live value is at one of these versions ("3", "3", "4") or exists (*)',
    }),
  ),
  "if-none-match": Type.Optional(Type.String({ description: "*: act only if no live value exists" })),
});

/** No query parameters: any is 422. */
const NO_QUERY = Type.Object({}, { additionalProperties: false });

const SECURITY = [{ bearerAuth: [] }];

/** A stored state value: any JSON value except a top-level null. */
const STATE_VALUE = Type.Unsafe<unknown>({
  description: "Any JSON value except a top-level null (nested nulls are fine)",
  not: { type: "null" },
});

const ASSET_REF = Type.Object({ name: Type.String(), uri: Type.String() }, { additionalProperties: false });

const TI_ID = Type.String({ format: "uuid", description: "Task instance id (a UUID)" });

const TI_PARAMS = Type.Object({ ti_id: TI_ID }, { additionalProperties: false });

const TI_KEY_PARAMS = Type.Object(
  {
    ti_id: TI_ID,
    "*": Type.String({ description: "The key, percent-encoded with encodeURIComponent; may contain /" }),
  },
  { additionalProperties: false },
);

/** The answer of a GET: `{"value"}` exactly (reference: Airflow's strict response models); the version is the ETag. */
const STATE_VALUE_RESPONSE = Type.Object(
  {
    value: Type.Unknown({
      description: "The stored JSON value (a reference envelope when a worker backend offloaded it)",
    }),
  },
  { additionalProperties: false, headers: ETAG_HEADER },
);

/** A 204 answer: documented as `null`, typed as no body, since the handler sends none. */
function noContent(description: string, headers?: object) {
  return Type.Unsafe<undefined>(Type.Null({ description, ...(headers === undefined ? {} : { headers }) }));
}

const WRITTEN = noContent("Written; ETag is the new version", ETAG_HEADER);

/** `GET /execution/tidemark/extensions`. */
export const GET_EXTENSIONS_SCHEMA = {
  tags: ["tidemark"],
  summary: "Tidemark's extensions to the Execution API (no token needed)",
  querystring: NO_QUERY,
  response: {
    200: Type.Object(
      { extensions: Type.Array(Type.String()) },
      { additionalProperties: false, headers: VERSION_HEADER },
    ),
  },
};

/** `GET /execution/task-instances/{ti_id}`. */
export const GET_TASK_INSTANCE_SCHEMA = {
  tags: ["task-instances"],
  summary: "The task instance, its try number, inlets and outlets (Tidemark extension task-instance-info)",
  security: SECURITY,
  params: TI_PARAMS,
  querystring: NO_QUERY,
  headers: REQUEST_HEADERS,
  response: {
    200: Type.Object(
      {
        id: Type.String(),
        dag_id: Type.String(),
        run_id: Type.String(),
        task_id: Type.String(),
        map_index: Type.Integer(),
        state: nullable(Type.String()),
        try_number: Type.Integer(),
        inlets: Type.Array(ASSET_REF),
        outlets: Type.Array(ASSET_REF),
      },
      { additionalProperties: false },
    ),
    ...AUTH_ERRORS,
  },
};

/** `PATCH /execution/task-instances/{ti_id}/state`. */
export const PATCH_TASK_INSTANCE_STATE_SCHEMA = {
  tags: ["task-instances"],
  summary:
    "Report the task instance's state; success clears its task state with state_store.clear_on_success (Tidemark extension task-instance-info)",
  security: SECURITY,
  params: TI_PARAMS,
  querystring: NO_QUERY,
  headers: REQUEST_HEADERS,
  body: Type.Object(
    {
      state: Type.Unsafe<ExecutionReportedState>({
        type: "string",
        enum: ["running", "success", "failed", "up_for_retry"] satisfies ExecutionReportedState[],
      }),
    },
    { additionalProperties: false },
  ),
  response: { 204: noContent("State recorded"), ...AUTH_ERRORS },
};

/** `GET /execution/store/ti/{ti_id}/{key}`. */
export const GET_TASK_STATE_SCHEMA = {
  tags: ["task-state"],
  summary: "Read a task state key",
  security: SECURITY,
  params: TI_KEY_PARAMS,
  querystring: NO_QUERY,
  headers: REQUEST_HEADERS,
  response: { 200: STATE_VALUE_RESPONSE, ...AUTH_ERRORS },
};

/** `PUT /execution/store/ti/{ti_id}/{key}`. */
export const PUT_TASK_STATE_SCHEMA = {
  tags: ["task-state"],
  summary: "Write a task state key",
  security: SECURITY,
  params: TI_KEY_PARAMS,
  querystring: NO_QUERY,
  headers: CONDITIONAL_HEADERS,
  body: Type.Object(
    {
      value: STATE_VALUE,
      expires_at: Type.Optional(
        Type.Union([Type.String(), Type.Null()], {
          description:
            'Absolute expiry, ISO-8601 with an offset (UTC recommended); null or absent never expires (as Airflow); "default": now + state_store.default_retention_days (Tidemark extension default-expiry)',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  response: { 204: WRITTEN, ...WRITE_ERRORS },
};

/** `DELETE /execution/store/ti/{ti_id}/{key}`. */
export const DELETE_TASK_STATE_SCHEMA = {
  tags: ["task-state"],
  summary: "Delete a task state key (a missing key is not an error unless If-Match is sent)",
  security: SECURITY,
  params: TI_KEY_PARAMS,
  querystring: NO_QUERY,
  headers: CONDITIONAL_HEADERS,
  response: { 204: noContent("Deleted"), ...AUTH_ERRORS, ...CONDITIONAL_ERRORS },
};

/** `DELETE /execution/store/ti/{ti_id}`. */
export const CLEAR_TASK_STATE_SCHEMA = {
  tags: ["task-state"],
  summary: "Delete every task state key of the task instance (its own map index only)",
  security: SECURITY,
  params: TI_PARAMS,
  querystring: NO_QUERY,
  headers: REQUEST_HEADERS,
  response: { 204: noContent("Cleared"), ...AUTH_ERRORS },
};

/** Which query parameter addresses the asset on a by-name or by-uri route. */
export type AssetAddressing = "name" | "uri";

const ASSET_NAME = { name: Type.String({ minLength: 1, description: "Asset name" }) };
const ASSET_URI = { uri: Type.String({ minLength: 1, description: "Asset URI" }) };
const KEY = { key: Type.String({ minLength: 1, description: "The key (may contain /)" }) };
const CLOSED = { additionalProperties: false } as const;

/** The query of `…/value` (the asset and the key) and of `…/clear` (the asset), per addressing. */
const ASSET_QUERIES = {
  name: {
    value: Type.Object({ ...ASSET_NAME, ...KEY }, CLOSED),
    clear: Type.Object(ASSET_NAME, CLOSED),
  },
  uri: {
    value: Type.Object({ ...ASSET_URI, ...KEY }, CLOSED),
    clear: Type.Object(ASSET_URI, CLOSED),
  },
};

/**
 * The four asset state route schemas for one addressing (`by-name` or `by-uri`).
 *
 * @param by - `name` or `uri`.
 * @returns schemas of GET/PUT/DELETE `…/value` and DELETE `…/clear`.
 */
export function assetStateSchemas<B extends AssetAddressing>(by: B) {
  const tags = ["asset-state"];
  return {
    get: {
      tags,
      summary: `Read an asset state key (asset by ${by})`,
      security: SECURITY,
      querystring: ASSET_QUERIES[by].value,
      headers: REQUEST_HEADERS,
      response: { 200: STATE_VALUE_RESPONSE, ...AUTH_ERRORS },
    },
    put: {
      tags,
      summary: `Write an asset state key (asset by ${by}); records the writer`,
      security: SECURITY,
      querystring: ASSET_QUERIES[by].value,
      headers: CONDITIONAL_HEADERS,
      body: Type.Object({ value: STATE_VALUE }, { additionalProperties: false }),
      response: { 204: WRITTEN, ...WRITE_ERRORS },
    },
    delete: {
      tags,
      summary: `Delete an asset state key (asset by ${by})`,
      security: SECURITY,
      querystring: ASSET_QUERIES[by].value,
      headers: CONDITIONAL_HEADERS,
      response: { 204: noContent("Deleted"), ...AUTH_ERRORS, ...CONDITIONAL_ERRORS },
    },
    clear: {
      tags,
      summary: `Delete every asset state key of the asset (asset by ${by})`,
      security: SECURITY,
      querystring: ASSET_QUERIES[by].clear,
      headers: REQUEST_HEADERS,
      response: { 204: noContent("Cleared"), ...AUTH_ERRORS },
    },
  };
}
