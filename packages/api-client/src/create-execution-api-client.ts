import createClient, { type Client } from "openapi-fetch";
import type { ApiClientOptions } from "./api-client-options.js";
import type { paths } from "./generated/execution-api.js";
import { simplePathSerializer } from "./path-serializer.js";

/** An openapi-fetch client typed by the Execution API's OpenAPI document. */
export type ExecutionApiHttpClient = Client<paths>;

/**
 * Creates a typed client of the Execution API (`/execution/...`): `client.GET("/execution/store/ti/{ti_id}/{key}",
 * { params: { path: { ti_id, key } } })` answers `{ data, error, response }`. Path parameters are
 * percent-encoded; turn an `error` into a `StateStoreError` with {@link stateStoreErrorFromResponse}.
 *
 * @param options - the server's origin, and optional fetch and headers (the bearer token).
 * @returns the client.
 */
export function createExecutionApiClient(options: ApiClientOptions): ExecutionApiHttpClient {
  return createClient<paths>({
    baseUrl: options.baseUrl,
    pathSerializer: simplePathSerializer,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.headers === undefined ? {} : { headers: options.headers }),
  });
}
