import createClient, { type Client } from "openapi-fetch";
import type { ApiClientOptions } from "./api-client-options.js";
import type { paths } from "./generated/core-rest-api.js";
import { simplePathSerializer } from "./path-serializer.js";

/** An openapi-fetch client typed by the Core REST API's OpenAPI document. */
export type CoreRestApiHttpClient = Client<paths>;

/**
 * Creates a typed client of the Core REST API (`/api/v2/...`): `client.GET("/api/v2/assets/{asset_id}/state-store/{*}",
 * { params: { path: { asset_id, "*": key }, query: { include: "version,reference" } } })` answers
 * `{ data, error, response }`. Path parameters (the key in `"*"` included) are percent-encoded; turn an
 * `error` into a `StateStoreError` with {@link stateStoreErrorFromResponse}.
 *
 * @param options - the server's origin, and optional fetch and headers (the bearer token).
 * @returns the client.
 */
export function createCoreRestApiClient(options: ApiClientOptions): CoreRestApiHttpClient {
  return createClient<paths>({
    baseUrl: options.baseUrl,
    pathSerializer: simplePathSerializer,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.headers === undefined ? {} : { headers: options.headers }),
  });
}
