/**
 * Airflow's response models for the task state store and asset state store routes, held strictly: a
 * response that an Airflow client would refuse (an extra field, a missing field, a wrong status) is a
 * violation. Reference: Airflow 3.3's Execution API datamodels (`TaskStateStoreResponse`,
 * `AssetStateStoreResponse`, extra fields forbidden) and Core API datamodels (`TaskStateStoreResponse`,
 * `AssetStateStoreResponse`, `…CollectionResponse`), and the status codes of their routes.
 */

/** One HTTP answer, as a client saw it. */
export interface ObservedResponse {
  /** The request method, upper or lower case. */
  readonly method: string;
  /** The full request URL (path and query are read; the origin is ignored). */
  readonly url: string;
  /** The response status. */
  readonly status: number;
  /** The response body as text ("" when there was none). */
  readonly bodyText: string;
  /**
   * The request's `Prefer` header, if any: `return=representation` asks the Core REST API for Tidemark's
   * answer with the entry (RFC 7240), so such an answer is not held to Airflow's 204.
   */
  readonly prefer?: string | null;
}

type Check = (value: unknown, path: string) => string[];

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

const anyJson: Check = (value, path) => (value === undefined ? [`${path} is missing`] : []);

const string: Check = (value, path) =>
  typeof value === "string" ? [] : [`${path} must be a string, got ${typeName(value)}`];

const dateTime: Check = (value, path) =>
  typeof value === "string" && !Number.isNaN(Date.parse(value))
    ? []
    : [`${path} must be an ISO-8601 date-time string, got ${JSON.stringify(value)}`];

const integer: Check = (value, path) =>
  Number.isInteger(value) ? [] : [`${path} must be an integer, got ${JSON.stringify(value)}`];

function nullable(check: Check): Check {
  return (value, path) => (value === null ? [] : check(value, path));
}

function oneOf(values: readonly string[]): Check {
  return (value, path) =>
    typeof value === "string" && values.includes(value)
      ? []
      : [`${path} must be one of ${values.join(", ")}, got ${JSON.stringify(value)}`];
}

function arrayOf(item: Check): Check {
  return (value, path) =>
    Array.isArray(value)
      ? value.flatMap((element, i) => item(element, `${path}[${i}]`))
      : [`${path} must be an array, got ${typeName(value)}`];
}

/**
 * A closed object: `required` fields must be present, `optional` ones may be, any other field is a
 * violation (pydantic's `extra="forbid"`).
 */
function strictObject(required: Record<string, Check>, optional: Record<string, Check> = {}): Check {
  return (value, path) => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      return [`${path} must be an object, got ${typeName(value)}`];
    }
    const record = value as Record<string, unknown>;
    const problems: string[] = [];
    for (const [field, check] of Object.entries(required)) {
      if (!Object.hasOwn(record, field)) problems.push(`${path}.${field} is missing`);
      else problems.push(...check(record[field], `${path}.${field}`));
    }
    for (const [field, check] of Object.entries(optional)) {
      if (Object.hasOwn(record, field)) problems.push(...check(record[field], `${path}.${field}`));
    }
    for (const field of Object.keys(record)) {
      if (!Object.hasOwn(required, field) && !Object.hasOwn(optional, field)) {
        problems.push(`${path}.${field} is not a field of Airflow's model`);
      }
    }
    return problems;
  };
}

/** Execution API `TaskStateStoreResponse` / `AssetStateStoreResponse`. */
const EXECUTION_VALUE = strictObject({ value: anyJson });

/** Core API `TaskStateStoreResponse`. */
const REST_TASK_ENTRY = strictObject({
  key: string,
  value: anyJson,
  updated_at: dateTime,
  expires_at: nullable(dateTime),
});

/** Core API `AssetStateStoreLastUpdatedBy`: kind required, the task fields optional and nullable. */
const REST_LAST_UPDATED_BY = strictObject(
  { kind: oneOf(["task", "watcher", "api"]) },
  {
    dag_id: nullable(string),
    run_id: nullable(string),
    task_id: nullable(string),
    map_index: nullable(integer),
  },
);

/** Core API `AssetStateStoreResponse`. */
const REST_ASSET_ENTRY = strictObject(
  { key: string, value: anyJson, updated_at: dateTime },
  { last_updated_by: nullable(REST_LAST_UPDATED_BY) },
);

/**
 * An Execution API error: `{"detail": {"reason", "message", …}}` (Airflow's HTTPException detail; clients
 * read `detail` as a mapping, so more members inside it are allowed), or FastAPI's validation list.
 */
const EXECUTION_ERROR: Check = (value, path) => {
  const outer = strictObject({ detail: anyJson })(value, path);
  if (outer.length > 0) return outer;
  const detail = (value as { detail: unknown }).detail;
  if (Array.isArray(detail)) return [];
  if (detail === null || typeof detail !== "object") {
    return [`${path}.detail must be an object with reason and message, got ${typeName(detail)}`];
  }
  const d = detail as Record<string, unknown>;
  return [...string(d.reason, `${path}.detail.reason`), ...string(d.message, `${path}.detail.message`)];
};

/** A Core API error: `{"detail": "<message>"}` (or FastAPI's validation list). */
const REST_ERROR: Check = (value, path) => {
  const outer = strictObject({ detail: anyJson })(value, path);
  if (outer.length > 0) return outer;
  const detail = (value as { detail: unknown }).detail;
  return typeof detail === "string" || Array.isArray(detail)
    ? []
    : [`${path}.detail must be a string, got ${typeName(detail)}`];
};

/** What an Airflow route answers on success: a status and a body model (undefined: no body). */
interface SuccessModel {
  readonly status: number;
  readonly body?: Check;
  /** `null` as the JSON body (Airflow's PATCH answers 200 with `null`). */
  readonly nullBody?: boolean;
}

interface RouteModel {
  readonly api: "execution" | "rest";
  readonly success: SuccessModel;
}

const NO_CONTENT: SuccessModel = { status: 204 };

/**
 * Which Airflow route a request addressed, and what Airflow answers there.
 *
 * @returns undefined for every route that is not one of Airflow's state store routes (Tidemark's own
 *   routes, or a Core API request that asked for Tidemark's extras with `include` or
 *   `Prefer: return=representation`).
 */
function routeModel(method: string, url: URL, prefer: string): RouteModel | undefined {
  const path = url.pathname;
  const m = method.toUpperCase();
  const execution = /\/execution\/store\/(?:ti\/[^/]+(\/.+)?|asset\/by-(?:name|uri)\/(value|clear))$/.exec(
    path,
  );
  if (execution !== null) {
    const isKey = execution[1] !== undefined || execution[2] === "value";
    if (m === "GET" && isKey) return { api: "execution", success: { status: 200, body: EXECUTION_VALUE } };
    if ((m === "PUT" && isKey) || m === "DELETE") return { api: "execution", success: NO_CONTENT };
    return undefined;
  }
  if (url.searchParams.has("include") || /\breturn=representation\b/.test(prefer)) return undefined;
  const task = /\/api\/v2\/dags\/[^/]+\/dagRuns\/[^/]+\/taskInstances\/[^/]+\/state-store(\/.+)?$/.exec(path);
  const asset = task === null ? /\/api\/v2\/assets\/[^/]+\/state-store(\/.+)?$/.exec(path) : null;
  const match = task ?? asset;
  if (match === null) return undefined;
  const isKey = match[1] !== undefined;
  const entry = task !== null ? REST_TASK_ENTRY : REST_ASSET_ENTRY;
  const collection =
    task !== null
      ? strictObject({ task_state_store: arrayOf(REST_TASK_ENTRY), total_entries: integer })
      : strictObject({ asset_state_store: arrayOf(REST_ASSET_ENTRY), total_entries: integer });
  switch (m) {
    case "GET":
      return { api: "rest", success: { status: 200, body: isKey ? entry : collection } };
    case "PUT":
      return isKey ? { api: "rest", success: NO_CONTENT } : undefined;
    case "PATCH":
      return isKey && task !== null ? { api: "rest", success: { status: 200, nullBody: true } } : undefined;
    case "DELETE":
      return { api: "rest", success: NO_CONTENT };
    default:
      return undefined;
  }
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/**
 * Checks one answer against Airflow's model for the route it came from.
 *
 * Successful answers must have Airflow's status and exactly Airflow's body (no extra fields at any level);
 * error answers (4xx, 5xx) must have Airflow's error shape. Tidemark's extensions travel in headers, so
 * headers are not checked.
 *
 * @param response - the method, URL, status and body text of the answer.
 * @returns one sentence per violation, naming the route and the JSON path; empty when the answer is what
 *   an Airflow client expects, or when the route is not one of Airflow's state store routes.
 */
export function airflowResponseViolations(response: ObservedResponse): string[] {
  const url = new URL(response.url, "http://localhost");
  const model = routeModel(response.method, url, response.prefer ?? "");
  if (model === undefined) return [];
  const where = `${response.method.toUpperCase()} ${url.pathname}${url.search} → ${response.status}`;
  const problems = (list: string[]) => list.map((p) => `${where}: ${p}`);
  if (response.status >= 400) {
    const parsed = parseJson(response.bodyText);
    if (!parsed.ok) return problems(["the error body is not JSON"]);
    return problems((model.api === "execution" ? EXECUTION_ERROR : REST_ERROR)(parsed.value, "$"));
  }
  const { success } = model;
  if (response.status !== success.status) {
    return problems([`Airflow answers ${success.status} on this route`]);
  }
  if (success.body === undefined && success.nullBody !== true) {
    return response.bodyText === "" ? [] : problems(["Airflow sends no body with this answer"]);
  }
  const parsed = parseJson(response.bodyText);
  if (!parsed.ok) return problems(["the body is not JSON"]);
  if (success.nullBody === true) {
    return parsed.value === null ? [] : problems([`the body must be null, got ${typeName(parsed.value)}`]);
  }
  return problems((success.body as Check)(parsed.value, "$"));
}
