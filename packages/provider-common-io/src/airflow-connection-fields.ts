import { StateStoreError } from "@tidemark/state";

/**
 * The environment variable that holds connection `connId` of a base such as `s3://conn_id@bucket/prefix/`:
 * `TIDEMARK_CONN_` followed by the conn_id in upper case (as Airflow's `AIRFLOW_CONN_<CONN_ID>`).
 *
 * @param connId - the conn_id, for example `minio`.
 * @returns the variable name, for example `TIDEMARK_CONN_MINIO`.
 */
export function connectionVariable(connId: string): string {
  return `TIDEMARK_CONN_${connId.toUpperCase()}`;
}

/**
 * How one store reads an Airflow-style connection: a URI `scheme://login:password@host/?field=value` or a
 * JSON object whose settings may also sit in `extra` (an object or a JSON string).
 */
export interface AirflowConnectionFormat {
  /** The field names it knows (lower case), each with the setting it fills; others are ignored. */
  readonly fields: Readonly<Record<string, string>>;
  /** The URI schemes of this store's connections. */
  readonly schemes: readonly string[];
  /** The reason given for a text that is no URI, for example "not a URI or a JSON object". */
  readonly notUri: string;
  /** The reason given for a URI of another scheme. */
  readonly wrongScheme: (scheme: string) => string;
  /** What a malformed connection should be set to instead, quoted in the message. */
  readonly example: string;
  /** A prefix older Airflow versions put in front of the names in `extra` (`extra__wasb__`). */
  readonly legacyExtraPrefix?: string;
  /**
   * Checks and converts the value of a setting that is not a plain string; returns undefined for the
   * settings that are, which must then be strings.
   */
  readonly convert?: (setting: string, value: unknown, field: string, variable: string) => unknown;
}

/**
 * The `CONFIG_ERROR` of a malformed connection.
 *
 * @param variable - the environment variable, named in the message; its value is never quoted (secrets).
 * @param why - the reason, shown in parentheses.
 * @param example - what to set it to instead.
 */
export function malformedConnection(variable: string, why: string, example: string): StateStoreError {
  return new StateStoreError(
    "CONFIG_ERROR",
    `connection ${variable} is malformed (${why}); set it to ${example}`,
    {
      details: { variable },
    },
  );
}

/**
 * The trimmed text of connection `connId`, or a `CONFIG_ERROR` naming its variable when it is unset.
 *
 * @param hint - what to set the variable to, quoted in the message.
 */
export function connectionText(
  connId: string,
  env: Readonly<Record<string, string | undefined>>,
  hint: string,
): { variable: string; text: string } {
  const variable = connectionVariable(connId);
  const text = env[variable]?.trim();
  if (text === undefined || text === "") {
    throw new StateStoreError(
      "CONFIG_ERROR",
      `connection ${JSON.stringify(connId)} of common_io.state_store_objectstorage_path is not defined: set the environment variable ${variable} to ${hint}`,
      { details: { variable, option: "common_io.state_store_objectstorage_path" } },
    );
  }
  return { variable, text };
}

class ConnectionReader {
  readonly out: Record<string, unknown> = {};

  constructor(
    readonly format: AirflowConnectionFormat,
    readonly variable: string,
  ) {}

  malformed(why: string): StateStoreError {
    return malformedConnection(this.variable, why, this.format.example);
  }

  assign(field: string, value: unknown): void {
    const setting = this.format.fields[field];
    if (setting === undefined || value === undefined || value === null || value === "") return;
    const converted = this.format.convert?.(setting, value, field, this.variable);
    if (converted !== undefined) {
      this.out[setting] = converted;
      return;
    }
    if (typeof value !== "string") throw this.malformed(`${field} must be a string`);
    this.out[setting] = value;
  }

  decode(text: string, field: string): string {
    try {
      return decodeURIComponent(text);
    } catch {
      throw this.malformed(`${field} is not valid percent-encoding`);
    }
  }

  parseUri(text: string): void {
    const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(\/[^?#]*)?(?:\?([^#]*))?(?:#.*)?$/i.exec(text);
    if (match === null) throw this.malformed(this.format.notUri);
    const scheme = (match[1] ?? "").toLowerCase();
    if (!this.format.schemes.includes(scheme)) throw this.malformed(this.format.wrongScheme(scheme));
    const authority = match[2] ?? "";
    const at = authority.lastIndexOf("@");
    if (at !== -1) {
      // Login and password are percent-decoded only, as Airflow does: a "+" in a key stays a "+".
      const userinfo = authority.slice(0, at);
      const colon = userinfo.indexOf(":");
      this.assign("login", this.decode(colon === -1 ? userinfo : userinfo.slice(0, colon), "the login"));
      if (colon !== -1) this.assign("password", this.decode(userinfo.slice(colon + 1), "the password"));
    }
    const host = authority.slice(at + 1);
    if (host !== "") this.assign("host", this.decode(host, "the host"));
    for (const pair of (match[4] ?? "").split("&")) {
      if (pair === "") continue;
      // The query is form-encoded: "+" stands for a space.
      const eq = pair.indexOf("=");
      const raw = (eq === -1 ? pair : pair.slice(0, eq)).replace(/\+/g, " ");
      const field = this.decode(raw, "a query field").toLowerCase();
      this.assign(field, this.decode((eq === -1 ? "" : pair.slice(eq + 1)).replace(/\+/g, " "), field));
    }
  }

  parseJson(text: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw this.malformed("starts with { but is not valid JSON");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw this.malformed("the JSON is not an object");
    }
    const record = parsed as Record<string, unknown>;
    let extra = record.extra;
    if (typeof extra === "string" && extra.trim().startsWith("{")) {
      try {
        extra = JSON.parse(extra);
      } catch {
        throw this.malformed("extra is not valid JSON");
      }
    }
    if (typeof extra === "object" && extra !== null && !Array.isArray(extra)) {
      const legacy = this.format.legacyExtraPrefix;
      for (const [field, value] of Object.entries(extra)) {
        const name = field.toLowerCase();
        this.assign(
          legacy !== undefined && name.startsWith(legacy) ? name.slice(legacy.length) : name,
          value,
        );
      }
    }
    // Top-level fields win over the same ones in extra.
    for (const [field, value] of Object.entries(record)) this.assign(field.toLowerCase(), value);
  }
}

/**
 * Reads the settings of an Airflow-style connection: a URI (login, password and host as the fields
 * `login`, `password` and `host`, then the query's fields) or, for a text starting with "{", a JSON
 * object (the fields of `extra`, then the top-level ones).
 *
 * @param text - the connection's trimmed text.
 * @param variable - its environment variable, for messages.
 * @param format - the store's fields, schemes and messages.
 * @returns the settings found, by the names `format.fields` maps to.
 * @throws StateStoreError `CONFIG_ERROR` ({@link malformedConnection}) when it cannot be read.
 */
export function parseAirflowConnection(
  text: string,
  variable: string,
  format: AirflowConnectionFormat,
): Record<string, unknown> {
  const reader = new ConnectionReader(format, variable);
  if (text.startsWith("{")) reader.parseJson(text);
  else reader.parseUri(text);
  return reader.out;
}
