/**
 * Named shapes of the Execution API (`/execution`), taken from the generated `paths` so they follow the
 * OpenAPI document the server serves (Airflow's Execution API wire format plus Tidemark's extensions).
 */
import type { JsonValue } from "@tidemark/state";
import type { components, paths } from "./generated/execution-api.js";

// The shapes below are tagged @interface, so the API reference lists their resolved fields rather than
// these helpers.
type Ok<T extends { responses: { 200: { content: { "application/json": unknown } } } }> =
  T["responses"][200]["content"]["application/json"];
type Body<T extends { requestBody?: { content: { "application/json": unknown } } }> = NonNullable<
  T["requestBody"]
>["content"]["application/json"];
type WithJsonValue<T> = Omit<T, "value"> & {
  /** The JSON value. */
  value: JsonValue;
};

/**
 * `GET /execution/task-instances/{ti_id}`: the task instance, its try number, inlets and outlets.
 *
 * @interface
 */
export type TaskInstance = Ok<paths["/execution/task-instances/{ti_id}"]["get"]>;

/** An inlet or outlet of a {@link TaskInstance}. */
export type DeclaredAssetJson = TaskInstance["inlets"][number];

/**
 * `PATCH /execution/task-instances/{ti_id}/state` body.
 *
 * @interface
 */
export type TaskInstanceStateUpdate = Body<paths["/execution/task-instances/{ti_id}/state"]["patch"]>;

/**
 * `GET /execution/tidemark/extensions`: the extension tokens the server offers.
 *
 * @interface
 */
export type ExecutionApiExtensions = Ok<paths["/execution/tidemark/extensions"]["get"]>;

/**
 * `GET /execution/store/ti/{ti_id}/{key}` and the asset value routes: `{"value"}`; the version is the `ETag`.
 *
 * @interface
 */
export type StateValue = WithJsonValue<Ok<paths["/execution/store/ti/{ti_id}/{key}"]["get"]>>;

/**
 * `PUT /execution/store/ti/{ti_id}/{key}` body: the value and `expires_at` (null, "default" or a date-time).
 *
 * @interface
 */
export type TaskStateValueWrite = WithJsonValue<Body<paths["/execution/store/ti/{ti_id}/{key}"]["put"]>>;

/**
 * `PUT /execution/store/asset/by-name/value` (and by-uri) body.
 *
 * @interface
 */
export type AssetStateValueWrite = WithJsonValue<Body<paths["/execution/store/asset/by-name/value"]["put"]>>;

/** The error body of every non-2xx Execution API answer: `{"detail": {"reason", "message", "code"}}`. */
export type ExecutionApiErrorBody = components["schemas"]["def-0"];
