import { isAbsolute, resolve } from "node:path";
import { StateStoreError } from "@tidemark/state";

/** The SQL dialects the metastore runs on. */
export type SqlDialect = "sqlite" | "postgres" | "mysql";

/** The forms `database.url` accepts, as named in error messages. */
export const ACCEPTED_DATABASE_URL_FORMS =
  "sqlite:///absolute/path.db, sqlite:relative/path.db (relative to the working directory), sqlite::memory:, postgres://user:password@host:5432/database (also postgresql://; add ?schema=name to use a schema other than the default search_path), or mysql://user:password@host:3306/database (MySQL 8 or MariaDB 10.11+; also mariadb://)";

/** A parsed SQLite `database.url`. */
export interface SqliteDatabaseUrl {
  /** Tells the URL forms apart. */
  readonly dialect: "sqlite";
  /** The URL as given. */
  readonly url: string;
  /** Absolute path of the database file, or `:memory:`. */
  readonly filename: string;
  /** True for `sqlite::memory:` (a private database that lives as long as the handle). */
  readonly memory: boolean;
}

/** A parsed Postgres `database.url`. */
export interface PostgresDatabaseUrl {
  /** Tells the URL forms apart. */
  readonly dialect: "postgres";
  /** The URL as given. */
  readonly url: string;
  /** The URL handed to `pg`, without Tidemark's own `schema` parameter. */
  readonly connectionString: string;
  /** The schema from `?schema=name`: tables live there (it becomes the connections' search_path). */
  readonly schema: string | undefined;
}

/** A parsed MySQL or MariaDB `database.url`. */
export interface MysqlDatabaseUrl {
  /** Tells the URL forms apart. */
  readonly dialect: "mysql";
  /** The URL as given. */
  readonly url: string;
  /** The URL handed to `mysql2` (`mariadb://` spelled `mysql://`). */
  readonly connectionString: string;
  /** The database (MySQL's schema) the tables live in: the URL's path. */
  readonly database: string;
}

/** A parsed `database.url`. */
export type DatabaseUrl = SqliteDatabaseUrl | PostgresDatabaseUrl | MysqlDatabaseUrl;

const MYSQL_URL = /^(mysql|mariadb):\/\//;
const MYSQL_DATABASE_NAME = /^[A-Za-z0-9_$]{1,64}$/;

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function configError(message: string): StateStoreError {
  return new StateStoreError("CONFIG_ERROR", message, { details: { option: "database.url" } });
}

/**
 * Replaces the password of a Postgres or MySQL URL with `***`, for messages and logs. SQLite URLs and
 * unparsable text are returned unchanged.
 *
 * @param url - a database URL.
 * @returns the URL without its password.
 */
export function redactDatabaseUrl(url: string): string {
  if (!/^(postgres(ql)?|mysql|mariadb):\/\//.test(url)) return url;
  try {
    const parsed = new URL(url);
    if (parsed.password === "") return url;
    parsed.password = "***";
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
  }
}

/**
 * Parses a `database.url`.
 *
 * Accepted forms: `sqlite:///absolute/path.db`; `sqlite:relative/path.db`, resolved against `cwd`;
 * `sqlite::memory:`; `postgres://…` or `postgresql://…` as understood by `pg`, plus Tidemark's own
 * `?schema=name` parameter (an unquoted identifier: letters, digits and `_`, at most 63 characters),
 * which makes `name` the search_path of every connection, so all tables live in that schema;
 * `mysql://…` or `mariadb://…` as understood by `mysql2`, naming the database in the path.
 *
 * @param url - the URL.
 * @param options - `cwd`: the directory relative SQLite paths resolve against (default `process.cwd()`).
 * @returns the dialect and what its driver needs.
 * @throws StateStoreError `CONFIG_ERROR` naming `database.url` and the accepted forms.
 */
export function parseDatabaseUrl(url: string, options: { cwd?: string } = {}): DatabaseUrl {
  if (typeof url !== "string" || url.trim() === "") {
    throw configError(`database.url is empty; accepted forms: ${ACCEPTED_DATABASE_URL_FORMS}`);
  }
  if (url.startsWith("sqlite:")) {
    const rest = url.slice("sqlite:".length);
    if (rest === ":memory:") return { dialect: "sqlite", url, filename: ":memory:", memory: true };
    if (rest.startsWith("//")) {
      if (!rest.startsWith("///") || rest.length === 3) {
        throw configError(
          `database.url ${JSON.stringify(url)} is not a SQLite URL Tidemark understands: after "sqlite://" an absolute path must follow (three slashes in all, for example sqlite:///var/lib/tidemark.db); accepted forms: ${ACCEPTED_DATABASE_URL_FORMS}`,
        );
      }
      return { dialect: "sqlite", url, filename: rest.slice(2), memory: false };
    }
    if (rest.trim() === "") {
      throw configError(
        `database.url ${JSON.stringify(url)} names no SQLite file; accepted forms: ${ACCEPTED_DATABASE_URL_FORMS}`,
      );
    }
    const cwd = options.cwd ?? process.cwd();
    return { dialect: "sqlite", url, filename: isAbsolute(rest) ? rest : resolve(cwd, rest), memory: false };
  }
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (cause) {
      throw new StateStoreError(
        "CONFIG_ERROR",
        `database.url ${JSON.stringify(redactDatabaseUrl(url))} is not a valid URL (${(cause as Error).message}); accepted forms: ${ACCEPTED_DATABASE_URL_FORMS}`,
        { cause, details: { option: "database.url" } },
      );
    }
    const schemas = parsed.searchParams.getAll("schema");
    if (schemas.length > 1) {
      throw configError(`database.url gives ?schema= ${schemas.length} times; give it once`);
    }
    const schema = schemas[0];
    if (schema !== undefined) {
      if (!SCHEMA_NAME.test(schema)) {
        throw configError(
          `database.url ?schema=${JSON.stringify(schema)} is not a plain schema name: use letters, digits and "_" (not starting with a digit), at most 63 characters`,
        );
      }
      if (parsed.searchParams.has("options")) {
        throw configError(
          "database.url gives both ?schema= and ?options=; use one of them (?schema=name sets the search_path through the connection options)",
        );
      }
      parsed.searchParams.delete("schema");
    }
    return {
      dialect: "postgres",
      url,
      connectionString: schema === undefined ? url : parsed.toString(),
      schema,
    };
  }
  if (MYSQL_URL.test(url)) return parseMysqlUrl(url);
  throw configError(
    `database.url ${JSON.stringify(redactDatabaseUrl(url))} is not a supported database URL; accepted forms: ${ACCEPTED_DATABASE_URL_FORMS}`,
  );
}

/**
 * Returns a Postgres URL that points at `schema` (sets or replaces `?schema=`), for example to run a
 * server or a test against a throwaway schema. `migrate()` creates the schema when it does not exist.
 *
 * @param url - a `postgres://` or `postgresql://` URL.
 * @param schema - a plain schema name (letters, digits, `_`).
 * @returns the URL with `?schema=schema`.
 * @throws StateStoreError `CONFIG_ERROR` for a URL that is not Postgres or a schema name that is not plain.
 */
export function withDatabaseSchema(url: string, schema: string): string {
  const parsed = parseDatabaseUrl(url);
  if (parsed.dialect !== "postgres") {
    throw configError(`only Postgres URLs take a schema, got ${JSON.stringify(url)}`);
  }
  const u = new URL(url);
  u.searchParams.set("schema", schema);
  const result = u.toString();
  parseDatabaseUrl(result);
  return result;
}

function parseMysqlUrl(url: string): MysqlDatabaseUrl {
  let parsed: URL;
  try {
    parsed = new URL(url.replace(MYSQL_URL, "mysql://"));
  } catch (cause) {
    throw new StateStoreError(
      "CONFIG_ERROR",
      `database.url ${JSON.stringify(redactDatabaseUrl(url))} is not a valid URL (${(cause as Error).message}); accepted forms: ${ACCEPTED_DATABASE_URL_FORMS}`,
      { cause, details: { option: "database.url" } },
    );
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  if (!MYSQL_DATABASE_NAME.test(database)) {
    throw configError(
      `database.url ${JSON.stringify(redactDatabaseUrl(url))} names ${database === "" ? "no database" : `the database ${JSON.stringify(database)}, which is not a plain name`}; give one in the path (mysql://user:password@host:3306/tidemark), of letters, digits, "_" and "$", at most 64 characters`,
    );
  }
  return { dialect: "mysql", url, connectionString: parsed.toString(), database };
}
