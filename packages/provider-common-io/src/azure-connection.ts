import type { StateStoreError } from "@tidemark/state";
import {
  type AirflowConnectionFormat,
  connectionText,
  malformedConnection,
  parseAirflowConnection,
} from "./airflow-connection-fields.js";

/**
 * The Azure Blob settings of a connection (`TIDEMARK_CONN_<CONN_ID>`) or, without a conn_id, of the
 * `AZURE_STORAGE_*` variables adlfs reads; every field optional. Without a connection string, key or SAS
 * token the default Azure credential chain (`@azure/identity`) applies.
 */
export interface AzureConnection {
  /** The environment variable it came from, for messages; undefined without a conn_id. */
  readonly variable: string | undefined;
  /** A storage connection string (`DefaultEndpointsProtocol=…;AccountName=…;AccountKey=…;BlobEndpoint=…`). */
  readonly connectionString?: string;
  /** The storage account name (Airflow's `login`). */
  readonly accountName?: string;
  /** The account key (Airflow's `password` or `shared_access_key`). */
  readonly accountKey?: string;
  /** A SAS token (the query string, with or without "?"), or a full SAS URL starting with https. */
  readonly sasToken?: string;
  /** The blob service URL (Airflow's `host`), for example `http://127.0.0.1:10000/devstoreaccount1`. */
  readonly accountUrl?: string;
}

const FIELDS: Record<string, keyof Omit<AzureConnection, "variable">> = {
  connection_string: "connectionString",
  login: "accountName",
  account_name: "accountName",
  password: "accountKey",
  account_key: "accountKey",
  shared_access_key: "accountKey",
  sas_token: "sasToken",
  host: "accountUrl",
  account_url: "accountUrl",
  blob_endpoint: "accountUrl",
};

const SCHEMES = ["wasb", "wasbs", "az", "abfs", "abfss", "adls", "azure"];

const EXAMPLE =
  "a storage connection string (DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…), a URI such as wasb://ACCOUNT:KEY@/?account_url=https%3A%2F%2FACCOUNT.blob.core.windows.net or wasb://ACCOUNT@/?sas_token=…, or a JSON object with account_name, account_key, sas_token, connection_string and account_url";

function malformed(variable: string, why: string): StateStoreError {
  return malformedConnection(variable, why, EXAMPLE);
}

const FORMAT: AirflowConnectionFormat = {
  fields: FIELDS,
  schemes: SCHEMES,
  notUri: "not a connection string, a URI or a JSON object",
  wrongScheme: (scheme) => `scheme ${scheme}:// is not an Azure Blob connection (use wasb:// or az://)`,
  example: EXAMPLE,
  // Older Airflow connections prefix their extras with extra__wasb__.
  legacyExtraPrefix: "extra__wasb__",
};

/** Whether a connection's text is a storage connection string (`Name=value;…`) rather than a URI. */
function isConnectionString(text: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:\/\//i.test(text) && /^[A-Za-z]+=/.test(text);
}

function checkUrl(url: string | undefined, variable: string): string | undefined {
  if (url === undefined) return undefined;
  // A bare host name, as Airflow's host field often holds, means https.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `https://${url}`;
  try {
    const parsed = new URL(withScheme);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error("not http(s)");
  } catch {
    throw malformed(variable, "account_url (the host) is not an http:// or https:// URL");
  }
  return withScheme;
}

/**
 * Resolves the Azure Blob connection of a base path.
 *
 * @param connId - the `conn_id` of `az://conn_id@container/prefix/`, or undefined to read
 *   `AZURE_STORAGE_CONNECTION_STRING`, `AZURE_STORAGE_ACCOUNT_NAME`, `AZURE_STORAGE_ACCOUNT_KEY` and
 *   `AZURE_STORAGE_SAS_TOKEN` (as adlfs does) and otherwise use the default Azure credential chain.
 * @param env - the environment to read `TIDEMARK_CONN_<CONN_ID>` (upper case) from.
 * @returns the connection settings.
 * @throws StateStoreError `CONFIG_ERROR` when the variable is missing or malformed; the message names the
 *   variable and never quotes its value.
 */
export function resolveAzureConnection(
  connId: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): AzureConnection {
  if (connId === undefined) {
    const fields: Record<string, string> = {};
    const fromEnv = {
      connectionString: env.AZURE_STORAGE_CONNECTION_STRING,
      accountName: env.AZURE_STORAGE_ACCOUNT_NAME ?? env.AZURE_STORAGE_ACCOUNT,
      accountKey: env.AZURE_STORAGE_ACCOUNT_KEY ?? env.AZURE_STORAGE_KEY,
      sasToken: env.AZURE_STORAGE_SAS_TOKEN,
    };
    for (const [name, value] of Object.entries(fromEnv))
      if (value !== undefined && value !== "") fields[name] = value;
    return { variable: undefined, ...fields };
  }
  const { variable, text } = connectionText(connId, env, EXAMPLE);
  if (isConnectionString(text)) {
    if (!/(^|;)\s*(AccountName|BlobEndpoint|SharedAccessSignature|UseDevelopmentStorage)=/i.test(text)) {
      throw malformed(
        variable,
        "the connection string has no AccountName, BlobEndpoint or SharedAccessSignature",
      );
    }
    return { variable, connectionString: text };
  }
  const fields = parseAirflowConnection(text, variable, FORMAT);
  const accountUrl = checkUrl(fields.accountUrl as string | undefined, variable);
  if (accountUrl !== undefined) fields.accountUrl = accountUrl;
  return { variable, ...fields } as AzureConnection;
}

/** The secrets of a connection, to redact from messages: the key, the SAS token and its signature. */
export function azureConnectionSecrets(connection: AzureConnection): string[] {
  const secrets = [connection.accountKey, connection.sasToken, connection.connectionString];
  for (const text of [connection.connectionString, connection.sasToken]) {
    if (text === undefined) continue;
    for (const m of text.matchAll(/(?:AccountKey|SharedAccessSignature)=([^;]+)/gi)) secrets.push(m[1]);
    for (const m of text.matchAll(/[?&;]?sig=([^&;]+)/gi)) {
      secrets.push(m[1]);
      try {
        secrets.push(decodeURIComponent(m[1] ?? ""));
      } catch {
        // keep the raw form only
      }
    }
  }
  return secrets.filter((s): s is string => typeof s === "string" && s.length >= 4);
}

/** A value of a connection string, for example its `BlobEndpoint`. */
export function connectionStringField(connectionString: string, name: string): string | undefined {
  for (const part of connectionString.split(";")) {
    const eq = part.indexOf("=");
    if (eq !== -1 && part.slice(0, eq).trim().toLowerCase() === name.toLowerCase())
      return part.slice(eq + 1).trim();
  }
  return undefined;
}
