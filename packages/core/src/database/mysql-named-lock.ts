import { createHash } from "node:crypto";
import { type Kysely, sql } from "kysely";

/** MySQL's longest lock name, in characters. */
const MAX_LOCK_NAME = 64;

/**
 * The MySQL named lock (`GET_LOCK`) of one purpose on one database: `tidemark.<purpose>:<database>`, or
 * with the database's SHA-256 in its place when that would pass MySQL's 64 characters. Named locks are
 * per server, not per database, so the database is part of the name.
 *
 * @param purpose - what the lock coordinates, for example `migrate`.
 * @param database - the database (MySQL schema) the tables live in.
 * @returns the lock name.
 */
export function mysqlLockName(purpose: string, database: string): string {
  const name = `tidemark.${purpose}:${database}`;
  if (name.length <= MAX_LOCK_NAME) return name;
  const digest = createHash("sha256").update(database).digest("hex");
  return `tidemark.${purpose}:${digest}`.slice(0, MAX_LOCK_NAME);
}

/**
 * Takes a MySQL named lock on `conn`'s session.
 *
 * @param conn - one connection (a named lock belongs to its session).
 * @param name - the lock name.
 * @param timeoutSeconds - how long to wait; 0 does not wait.
 * @returns whether the lock was taken.
 */
export async function getMysqlLock<DB>(
  conn: Kysely<DB>,
  name: string,
  timeoutSeconds: number,
): Promise<boolean> {
  const result = await sql<{
    locked: number | null;
  }>`select get_lock(${name}, ${timeoutSeconds}) as locked`.execute(conn);
  return Number(result.rows[0]?.locked ?? 0) === 1;
}

/**
 * Releases a MySQL named lock taken on `conn`'s session.
 *
 * @param conn - the connection that took it.
 * @param name - the lock name.
 */
export async function releaseMysqlLock<DB>(conn: Kysely<DB>, name: string): Promise<void> {
  await sql`select release_lock(${name})`.execute(conn);
}

/** The database (MySQL schema) a connection uses. */
export async function currentMysqlDatabase<DB>(conn: Kysely<DB>): Promise<string> {
  const result = await sql<{ name: string | null }>`select database() as name`.execute(conn);
  return result.rows[0]?.name ?? "";
}
