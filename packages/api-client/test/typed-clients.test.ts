import { describe, expect, it } from "vitest";
import { createCoreRestApiClient } from "../src/create-core-rest-api-client.js";
import { createExecutionApiClient } from "../src/create-execution-api-client.js";
import { stateStoreErrorFromResponse } from "../src/state-store-error-from-response.js";

function recording(answer: () => Response): {
  fetch: (request: Request) => Promise<Response>;
  seen: Request[];
} {
  const seen: Request[] = [];
  return {
    seen,
    fetch: async (request) => {
      seen.push(request);
      return answer();
    },
  };
}

describe("typed clients", () => {
  it("fill the Core REST API's key parameter {*} percent-encoded and send the configured headers", async () => {
    const r = recording(() =>
      Response.json({ key: "a/b", value: 1, updated_at: null, last_updated_by: null }),
    );
    const client = createCoreRestApiClient({
      baseUrl: "http://127.0.0.1:8080",
      fetch: r.fetch,
      headers: { authorization: "Bearer t" },
    });
    const { data } = await client.GET("/api/v2/assets/{asset_id}/state-store/{*}", {
      params: { path: { asset_id: 7, "*": "a/b ü" }, query: { include: "version" } },
    });
    expect(data?.key).toBe("a/b");
    expect(r.seen[0]?.url).toBe(
      "http://127.0.0.1:8080/api/v2/assets/7/state-store/a%2Fb%20%C3%BC?include=version",
    );
    expect(r.seen[0]?.headers.get("authorization")).toBe("Bearer t");
  });

  it("answer an error body that the decoder turns into a StateStoreError", async () => {
    const r = recording(
      () =>
        new Response(
          JSON.stringify({ detail: { reason: "not_found", message: "no key k", code: "NOT_FOUND" } }),
          {
            status: 404,
            headers: { "content-type": "application/json", "tidemark-error-code": "NOT_FOUND" },
          },
        ),
    );
    const client = createExecutionApiClient({ baseUrl: "http://127.0.0.1:8080", fetch: r.fetch });
    const { error, response } = await client.GET("/execution/store/ti/{ti_id}/{key}", {
      params: { path: { ti_id: "0190", key: "k" } },
    });
    expect(r.seen[0]?.url).toBe("http://127.0.0.1:8080/execution/store/ti/0190/k");
    const decoded = stateStoreErrorFromResponse(response, error);
    expect(decoded.code).toBe("NOT_FOUND");
    expect(decoded.message).toBe("no key k");
  });
});
