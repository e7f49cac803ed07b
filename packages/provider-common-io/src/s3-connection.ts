import type { StateStoreError } from "@tidemark/state";
import {
  type AirflowConnectionFormat,
  connectionText,
  malformedConnection,
  parseAirflowConnection,
} from "./airflow-connection-fields.js";

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

const EXAMPLE =
  "a URI such as s3://ACCESS_KEY:SECRET@/?endpoint_url=http%3A%2F%2F127.0.0.1%3A9000&region_name=us-east-1&force_path_style=true or a JSON object with the same fields";

function malformed(variable: string, why: string): StateStoreError {
  return malformedConnection(variable, why, EXAMPLE);
}

/** The settings that are not plain strings: a boolean and two enumerations. */
function convert(setting: string, value: unknown, field: string, variable: string): unknown {
  if (setting === "forcePathStyle") {
    if (typeof value === "boolean") return value;
    if (typeof value === "string" && /^(true|1|yes)$/i.test(value)) return true;
    if (typeof value === "string" && /^(false|0|no)$/i.test(value)) return false;
    throw malformed(variable, `${field} must be true or false`);
  }
  if (typeof value !== "string") return undefined;
  if (setting === "requestChecksumCalculation" || setting === "responseChecksumValidation") {
    const upper = value.toUpperCase();
    if (upper !== "WHEN_SUPPORTED" && upper !== "WHEN_REQUIRED") {
      throw malformed(variable, `${field} must be WHEN_SUPPORTED or WHEN_REQUIRED`);
    }
    return upper;
  }
  return undefined;
}

const FORMAT: AirflowConnectionFormat = {
  fields: FIELDS,
  schemes: ["s3", "aws", "s3a"],
  notUri: "not a URI or a JSON object",
  wrongScheme: (scheme) => `scheme ${scheme}:// is not an S3 connection (use s3:// or aws://)`,
  example: EXAMPLE,
  convert,
};

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
  const { variable, text } = connectionText(
    connId,
    env,
    "an s3:// URI or a JSON object with access_key_id, secret_access_key, endpoint_url, region_name and force_path_style",
  );
  const fields = parseAirflowConnection(text, variable, FORMAT);
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
