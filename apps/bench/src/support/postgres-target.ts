import { randomBytes } from "node:crypto";
import pg from "pg";

/** The default Postgres of the benchmarks (the machine's test database). */
export const DEFAULT_BENCH_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test";

/**
 * The Postgres URL to benchmark against: `--postgres-url`, else `TIDEMARK_BENCH_POSTGRES_URL`, else
 * `TIDEMARK_TEST_POSTGRES_URL`, else {@link DEFAULT_BENCH_POSTGRES_URL}.
 *
 * @param explicit - the command-line value, if any.
 * @param env - the environment.
 * @returns the URL.
 */
export function benchPostgresUrl(
  explicit: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string {
  return (
    explicit ||
    env.TIDEMARK_BENCH_POSTGRES_URL ||
    env.TIDEMARK_TEST_POSTGRES_URL ||
    DEFAULT_BENCH_POSTGRES_URL
  );
}

/** The password-free form of a URL, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== "") u.password = "***";
    return u.toString();
  } catch {
    return "<unparseable url>";
  }
}

/**
 * Checks that Postgres answers (`select 1` within a few seconds).
 *
 * @param url - the server.
 * @returns null when it answers, else why not (for a "skipped: …" reason).
 */
export async function probePostgres(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("select 1");
    return null;
  } catch (error) {
    return `Postgres unreachable at ${redactUrl(url)} (${(error as Error).message || String(error)})`;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * A fresh schema name for one benchmark run: `tidemark_bench_<label>_<random>`.
 *
 * @param label - letters and digits saying what uses it.
 * @returns the name.
 */
export function throwawaySchemaName(label: string): string {
  return `tidemark_bench_${label}_${randomBytes(4).toString("hex")}`;
}

/**
 * Drops schemas (with everything in them); failures are ignored.
 *
 * @param url - the server.
 * @param schemas - plain schema names made by {@link throwawaySchemaName}.
 */
export async function dropSchemas(url: string, schemas: readonly string[]): Promise<void> {
  if (schemas.length === 0) return;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on("error", () => {});
  try {
    await client.connect();
    for (const schema of schemas) await client.query(`drop schema if exists "${schema}" cascade`);
  } catch {
    // Best effort: a leftover schema is harmless and has a recognizable name.
  } finally {
    await client.end().catch(() => {});
  }
}
