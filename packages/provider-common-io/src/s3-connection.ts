import { StateStoreError } from "@tidemark/state";

/** The S3 settings a connection (`TIDEMARK_CONN_<CONN_ID>`) provides; every field optional. */
export interface S3Connection {
  /** The environment variable it came from, for messages; undefined for the default chain. */
  readonly variable: string | undefined;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly sessionToken?: string;
  /** An S3-compatible endpoint, for example `http://127.0.0.1:9000`. */
  readonly endpointUrl?: string;
  readonly region?: string;
  /** Path-style addressing (`endpoint/bucket/key`), needed by most S3-compatible stores. */
  readonly forcePathStyle?: boolean;
  /** `WHEN_SUPPORTED` or `WHEN_REQUIRED`; default WHEN_REQUIRED with an endpoint_url, else the SDK's. */
  readonly requestChecksumCalculation?: "WHEN_SUPPORTED" | "WHEN_REQUIRED";
  /** As `requestChecksumCalculation`, for response checksum validation. */
  readonly responseChecksumValidation?: "WHEN_SUPPORTED" | "WHEN_REQUIRED";
}

/**
 * The environment variable that holds connection `connId` of a base `s3://conn_id@bucket/prefix/`:
 * `TIDEMARK_CONN_` followed by the conn_id in upper case (as Airflow's `AIRFLOW_CONN_<CONN_ID>`).
 *
 * @param connId - the conn_id, for example `minio`.
 * @returns the variable name, for example `TIDEMARK_CONN_MINIO`.
 */
export function connectionVariable(connId: string): string {
  return `TIDEMARK_CONN_${connId.toUpperCase()}`;
}

const FIELDS: Record<string, keyof Omit<S3Connection, "variable">> = {
  access_key_id: "accessKeyId",
  aws_access_key_id: "accessKeyId",
  login: "accessKeyId",
  secret_access_key: "secretAccessKey",
  aws_secret_access_key: "secretAccessKey",
  password: "secretAccessKey",
  session_token: "sessionToken",
  aws_session_token: "sessionToken",
  endpoint_url: "endpointUrl",
  region_name: "region",
  region: "region",
  force_path_style: "forcePathStyle",
  request_checksum_calculation: "requestChecksumCalculation",
  response_checksum_validation: "responseChecksumValidation",
};

function malformed(variable: string, why: string): StateStoreError {
  // Never quote the variable's value: it holds secrets.
  return new StateStoreError(
    "CONFIG_ERROR",
    `connection ${variable} is malformed (${why}); set it to a URI such as s3://ACCESS_KEY:SECRET@/?endpoint_url=http%3A%2F%2F127.0.0.1%3A9000&region_name=us-east-1&force_path_style=true or a JSON object with the same fields`,
    { details: { variable } },
  );
}

function toBoolean(value: unknown, variable: string, field: string): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "string" && /^(true|1|yes)$/i.test(value)) return true;
  if (typeof value === "string" && /^(false|0|no)$/i.test(value)) return false;
  throw malformed(variable, `${field} must be true or false`);
}

function assign(target: Record<string, unknown>, field: string, value: unknown, variable: string): void {
  const name = FIELDS[field];
  if (name === undefined || value === undefined || value === null || value === "") return;
  if (name === "forcePathStyle") {
    target[name] = toBoolean(value, variable, field);
    return;
  }
  if (typeof value !== "string") throw malformed(variable, `${field} must be a string`);
  if (name === "requestChecksumCalculation" || name === "responseChecksumValidation") {
    const upper = value.toUpperCase();
    if (upper !== "WHEN_SUPPORTED" && upper !== "WHEN_REQUIRED") {
      throw malformed(variable, `${field} must be WHEN_SUPPORTED or WHEN_REQUIRED`);
    }
    target[name] = upper;
    return;
  }
  target[name] = value;
}

function decode(text: string, variable: string, field: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw malformed(variable, `${field} is not valid percent-encoding`);
  }
}

function parseUri(text: string, variable: string): Record<string, unknown> {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(\/[^?#]*)?(?:\?([^#]*))?(?:#.*)?$/i.exec(text);
  if (match === null) throw malformed(variable, "not a URI or a JSON object");
  const scheme = (match[1] ?? "").toLowerCase();
  if (!["s3", "aws", "s3a"].includes(scheme)) {
    throw malformed(variable, `scheme ${scheme}:// is not an S3 connection (use s3:// or aws://)`);
  }
  const out: Record<string, unknown> = {};
  const authority = match[2] ?? "";
  const at = authority.lastIndexOf("@");
  if (at !== -1) {
    const userinfo = authority.slice(0, at);
    const colon = userinfo.indexOf(":");
    const login = colon === -1 ? userinfo : userinfo.slice(0, colon);
    const password = colon === -1 ? "" : userinfo.slice(colon + 1);
    assign(out, "access_key_id", decode(login, variable, "the login"), variable);
    assign(out, "secret_access_key", decode(password, variable, "the password"), variable);
  }
  for (const pair of (match[4] ?? "").split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const field = decode(
      (eq === -1 ? pair : pair.slice(0, eq)).replace(/\+/g, " "),
      variable,
      "a query field",
    );
    const value = decode((eq === -1 ? "" : pair.slice(eq + 1)).replace(/\+/g, " "), variable, field);
    assign(out, field.toLowerCase(), value, variable);
  }
  return out;
}

function parseJson(text: string, variable: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw malformed(variable, "starts with { but is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw malformed(variable, "the JSON is not an object");
  }
  const out: Record<string, unknown> = {};
  const record = parsed as Record<string, unknown>;
  // Airflow-style JSON connections keep the S3 settings in "extra" (an object or a JSON string).
  let extra = record.extra;
  if (typeof extra === "string" && extra.trim().startsWith("{")) {
    try {
      extra = JSON.parse(extra);
    } catch {
      throw malformed(variable, "extra is not valid JSON");
    }
  }
  if (typeof extra === "object" && extra !== null && !Array.isArray(extra)) {
    for (const [field, value] of Object.entries(extra)) assign(out, field.toLowerCase(), value, variable);
  }
  for (const [field, value] of Object.entries(record)) assign(out, field.toLowerCase(), value, variable);
  return out;
}

/**
 * Resolves the S3 connection of a base path.
 *
 * @param connId - the `conn_id` of `s3://conn_id@bucket/prefix/`, or undefined for the AWS SDK's default
 *   credential chain (environment, shared config files, instance roles).
 * @param env - the environment to read `TIDEMARK_CONN_<CONN_ID>` (upper case) from.
 * @returns the connection settings.
 * @throws StateStoreError `CONFIG_ERROR` when the variable is missing or malformed; the message names the
 *   variable and never quotes its value.
 */
export function resolveS3Connection(
  connId: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): S3Connection {
  if (connId === undefined) return { variable: undefined };
  const variable = connectionVariable(connId);
  const text = env[variable]?.trim();
  if (text === undefined || text === "") {
    throw new StateStoreError(
      "CONFIG_ERROR",
      `connection ${JSON.stringify(connId)} of common_io.state_store_objectstorage_path is not defined: set the environment variable ${variable} to an s3:// URI or a JSON object with access_key_id, secret_access_key, endpoint_url, region_name and force_path_style`,
      { details: { variable, option: "common_io.state_store_objectstorage_path" } },
    );
  }
  const fields = text.startsWith("{") ? parseJson(text, variable) : parseUri(text, variable);
  if ((fields.accessKeyId === undefined) !== (fields.secretAccessKey === undefined)) {
    throw malformed(variable, "it has an access key id without a secret access key, or the reverse");
  }
  if (typeof fields.endpointUrl === "string") {
    try {
      const url = new URL(fields.endpointUrl);
      if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("not http(s)");
    } catch {
      throw malformed(variable, "endpoint_url is not an http:// or https:// URL");
    }
  }
  return { variable, ...fields } as S3Connection;
}

/** The secrets of a connection, to redact from messages. */
export function connectionSecrets(connection: S3Connection): string[] {
  return [connection.secretAccessKey, connection.sessionToken].filter(
    (s): s is string => typeof s === "string" && s.length >= 4,
  );
}

/** An endpoint URL without credentials, for messages. */
export function describeEndpoint(endpointUrl: string | undefined): string | undefined {
  if (endpointUrl === undefined) return undefined;
  try {
    const url = new URL(endpointUrl);
    url.username = "";
    url.password = "";
    return url.origin + (url.pathname === "/" ? "" : url.pathname);
  } catch {
    return "the configured endpoint";
  }
}
