import { randomBytes } from "node:crypto";
import mysql from "mysql2/promise";
import { redactUrl } from "./postgres-target.js";

/** The default MySQL of the benchmarks (the machine's MariaDB test database). */
export const DEFAULT_BENCH_MYSQL_URL = "mysql://root@127.0.0.1:3306/test";

/**
 * The MySQL URL to benchmark against: `--mysql-url`, else `TIDEMARK_BENCH_MYSQL_URL`, else
 * `TIDEMARK_TEST_MYSQL_URL`, else {@link DEFAULT_BENCH_MYSQL_URL}.
 *
 * @param explicit - the command-line value, if any.
 * @param env - the environment.
 * @returns the URL (`mysql://` or `mariadb://`).
 */
export function benchMysqlUrl(
  explicit: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string {
  return explicit || env.TIDEMARK_BENCH_MYSQL_URL || env.TIDEMARK_TEST_MYSQL_URL || DEFAULT_BENCH_MYSQL_URL;
}

/**
 * The same server with another database in the path, spelled `mysql://` (as `mysql2` takes it; the
 * metastore takes it too).
 *
 * @param url - the server.
 * @param database - a plain database name.
 * @returns the URL.
 */
export function withMysqlDatabase(url: string, database: string): string {
  const u = new URL(url.replace(/^mariadb:/, "mysql:"));
  u.pathname = `/${database}`;
  return u.toString();
}

async function adminConnection(url: string): Promise<mysql.Connection> {
  const connection = await mysql.createConnection({
    uri: url.replace(/^mariadb:/, "mysql:"),
    connectTimeout: 5000,
  });
  connection.on("error", () => {});
  return connection;
}

/**
 * Checks that MySQL answers (`select 1` within a few seconds).
 *
 * @param url - the server.
 * @returns null when it answers, else why not (for a "skipped: …" reason).
 */
export async function probeMysql(url: string): Promise<string | null> {
  let connection: mysql.Connection | undefined;
  try {
    connection = await adminConnection(url);
    await connection.query("select 1");
    return null;
  } catch (error) {
    return `MySQL unreachable at ${redactUrl(url)} (${(error as Error).message || String(error)})`;
  } finally {
    await connection?.end().catch(() => {});
  }
}

/**
 * A fresh database name for one benchmark run: `tidemark_bench_<label>_<random>`.
 *
 * @param label - letters and digits saying what uses it.
 * @returns the name.
 */
export function throwawayDatabaseName(label: string): string {
  return `tidemark_bench_${label}_${randomBytes(4).toString("hex")}`;
}

/**
 * Creates empty databases (utf8mb4, as the metastore's tables are).
 *
 * @param url - the server.
 * @param names - plain names made by {@link throwawayDatabaseName}.
 */
export async function createDatabases(url: string, names: readonly string[]): Promise<void> {
  const connection = await adminConnection(url);
  try {
    for (const name of names) await connection.query(`create database \`${name}\` character set utf8mb4`);
  } finally {
    await connection.end().catch(() => {});
  }
}

/**
 * Drops databases (with everything in them); failures are ignored.
 *
 * @param url - the server.
 * @param names - plain names made by {@link throwawayDatabaseName}.
 */
export async function dropDatabases(url: string, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  let connection: mysql.Connection | undefined;
  try {
    connection = await adminConnection(url);
    for (const name of names) await connection.query(`drop database if exists \`${name}\``);
  } catch {
    // Best effort: a leftover database is harmless and has a recognizable name.
  } finally {
    await connection?.end().catch(() => {});
  }
}
