import { type Attributes, SpanKind, type Tracer } from "@opentelemetry/api";
import { parseDatabaseUrl } from "../../database/database-url.js";
import { observeQueries } from "../../database/query-observer.js";
import type { TidemarkDatabase } from "../../database/tidemark-database.js";
import { tidemarkTracer } from "./tidemark-tracer.js";
import { traced } from "./traced.js";

/** `db.system.name` of each dialect (MariaDB reports as `mysql`: the wire and the SQL are the same). */
const DB_SYSTEM_NAMES = { sqlite: "sqlite", postgres: "postgresql", mysql: "mysql" } as const;

/** The attributes every statement of a database shares: system, namespace, server. */
function databaseAttributes(database: TidemarkDatabase): Attributes {
  const attributes: Attributes = {
    "db.system.name": DB_SYSTEM_NAMES[database.dialect],
  };
  let parsed: ReturnType<typeof parseDatabaseUrl>;
  try {
    parsed = parseDatabaseUrl(database.url);
  } catch {
    // A database over a dialect of its own (`postgres:custom`): nothing more is known.
    return attributes;
  }
  if (parsed.dialect === "sqlite") {
    // A relative path resolved against the server's working directory, not necessarily this process's.
    const relative = !parsed.memory && !database.url.startsWith("sqlite:///");
    attributes["db.namespace"] = relative ? database.url.slice("sqlite:".length) : parsed.filename;
    return attributes;
  }
  try {
    const url = new URL(parsed.connectionString);
    const name = decodeURIComponent(url.pathname.replace(/^\//, ""));
    const schema = parsed.dialect === "postgres" ? (parsed.schema ?? database.schema) : undefined;
    if (name !== "") attributes["db.namespace"] = schema === undefined ? name : `${name}|${schema}`;
    if (url.hostname !== "") attributes["server.address"] = url.hostname.replace(/^\[(.*)\]$/, "$1");
    attributes["server.port"] =
      url.port === "" ? (parsed.dialect === "postgres" ? 5432 : 3306) : Number(url.port);
  } catch {
    // A connection string `pg` understands but URL does not: leave the server out.
  }
  return attributes;
}

const MAX_CACHED_SUMMARIES = 1000;
const summaries = new Map<string, string>();
const TARGET =
  /\b(?:from|into|update|table(?: if (?:not )?exists)?)\s+((?:"[^"]+"|`[^`]+`|[A-Za-z_][\w$]*)(?:\.(?:"[^"]+"|`[^`]+`|[A-Za-z_][\w$]*))?)/i;

/** `<OPERATION> <table>` (the first table the statement names) or the operation alone; cached per text. */
function spanNameOf(operation: string, text: string): string {
  let name = summaries.get(text);
  if (name === undefined) {
    const target = TARGET.exec(text)?.[1]?.replace(/["`]/g, "");
    name = target === undefined ? operation : `${operation} ${target}`;
    if (summaries.size >= MAX_CACHED_SUMMARIES) summaries.clear();
    summaries.set(text, name);
  }
  return name;
}

/**
 * Makes a CLIENT span around every statement the database executes, a child of the active span (the
 * state store operation's), named `<OPERATION> <table>` (`SELECT task_state`), with `db.system.name`
 * (`sqlite` / `postgresql` / `mysql`), `db.operation.name`, `db.query.text` (the SQL with its placeholders, never
 * the parameter values), `db.namespace` and, on Postgres and MySQL, `server.address` and `server.port`; a failed
 * statement sets `error.type` (the SQLSTATE or SQLite code) and records the exception. Without an
 * OpenTelemetry SDK a statement costs a non-recording span.
 *
 * @param database - the database to watch.
 * @param tracer - the tracer; default the global provider's `@tidemark/core` tracer.
 * @returns a function that stops tracing the database's statements.
 */
export function traceQueries(database: TidemarkDatabase, tracer: Tracer = tidemarkTracer()): () => void {
  const shared = databaseAttributes(database);
  return observeQueries(database, {
    query(query, run) {
      const span = tracer.startSpan(spanNameOf(query.operation, query.text), { kind: SpanKind.CLIENT });
      if (!span.isRecording()) return run();
      span.setAttributes(shared);
      span.setAttribute("db.operation.name", query.operation);
      span.setAttribute("db.query.text", query.text);
      return traced(span, run, false);
    },
  });
}
