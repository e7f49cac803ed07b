/**
 * A fetch that answers from canned handlers: fixture injection at the component boundary, for component
 * tests only (the e2e tests use a real api-server). Records every call.
 */

/** One request as a handler sees it. */
export interface FixtureRequest {
  readonly method: string;
  /** Decoded path, e.g. "/api/v2/dags/etl/dagRuns". */
  readonly path: string;
  /** The raw (still percent-encoded) path. */
  readonly rawPath: string;
  readonly query: URLSearchParams;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

/** What a handler answers: a status, a JSON body (undefined = no body) and response headers. */
export interface FixtureResponse {
  readonly status?: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** A route: method, path (exact or a RegExp on the decoded path) and the answer. */
export interface FixtureRoute {
  readonly method: string;
  readonly path: string | RegExp;
  readonly respond: (request: FixtureRequest) => FixtureResponse | Promise<FixtureResponse>;
}

/** The fetch plus what it saw. */
export interface FixtureFetch {
  readonly fetch: typeof fetch;
  readonly calls: FixtureRequest[];
  /** Adds routes in front of the existing ones (they win). */
  readonly use: (...routes: FixtureRoute[]) => void;
}

/**
 * Creates a fixture fetch. Unmatched requests answer 599 with a message naming the request, so a
 * missing fixture shows up as a visible failure.
 *
 * @param routes - the canned routes, first match wins.
 * @returns the fetch and its call log.
 */
export function fixtureFetch(...routes: FixtureRoute[]): FixtureFetch {
  const table = [...routes];
  const calls: FixtureRequest[] = [];
  const impl = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input), "http://ui.test");
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => {
      headers[name] = value;
    });
    const request: FixtureRequest = {
      method: (init.method ?? "GET").toUpperCase(),
      path: decodeURIComponent(url.pathname),
      rawPath: url.pathname,
      query: url.searchParams,
      headers,
      body: typeof init.body === "string" ? JSON.parse(init.body) : undefined,
    };
    calls.push(request);
    const route = table.find(
      (r) =>
        r.method === request.method &&
        (typeof r.path === "string" ? r.path === request.path : r.path.test(request.path)),
    );
    if (!route) {
      return json(599, { detail: `no fixture for ${request.method} ${request.path}` });
    }
    const answer = await route.respond(request);
    return json(answer.status ?? 200, answer.body, answer.headers);
  };
  return {
    fetch: impl as typeof fetch,
    calls,
    use: (...more) => table.unshift(...more),
  };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  if (body === undefined) return new Response(null, { status, headers });
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** A route answering `body` with 200 (or `status`) and the given response headers. */
export function answer(
  method: string,
  path: string | RegExp,
  body: unknown,
  status = 200,
  headers: Record<string, string> = {},
): FixtureRoute {
  return { method, path, respond: () => ({ status, body, headers }) };
}

/**
 * An error answer as the Core REST API sends it: `{"detail": message}` with the code in the
 * `Tidemark-Error-Code` header (and any other headers, such as a 412's live `ETag`).
 */
export function errorAnswer(
  status: number,
  message: string,
  code: string,
  headers: Record<string, string> = {},
): FixtureResponse {
  return { status, body: { detail: message }, headers: { "tidemark-error-code": code, ...headers } };
}

/** A route answering with {@link errorAnswer}. */
export function failure(
  method: string,
  path: string | RegExp,
  status: number,
  message: string,
  code: string,
  headers: Record<string, string> = {},
): FixtureRoute {
  return { method, path, respond: () => errorAnswer(status, message, code, headers) };
}
