import type { SqlDialect } from "./database-url.js";

/**
 * Converts timestamps and booleans between JavaScript and a dialect's storage: SQLite keeps UTC epoch
 * milliseconds and 0/1 integers (better-sqlite3 binds neither Date nor boolean), Postgres `timestamptz`
 * and `boolean`. Both forms compare correctly with "now" and use the indexes.
 */
export interface ValueCodec {
  /** A Date as the dialect stores it (epoch ms on SQLite, the Date on Postgres). */
  timestamp(date: Date): Date | number;
  /** A stored timestamp (epoch ms, Date or ISO text) as a Date. */
  date(value: unknown): Date;
  /** As {@link date}, keeping null (a key that never expires). */
  nullableDate(value: unknown): Date | null;
  /** A boolean as the dialect stores it. */
  bool(value: boolean): boolean | number;
  /** A stored boolean (0/1 or boolean) as a boolean. */
  fromBool(value: unknown): boolean;
}

function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === "number") return new Date(value);
  if (typeof value === "bigint") return new Date(Number(value));
  if (typeof value === "string") return /^-?\d+$/.test(value) ? new Date(Number(value)) : new Date(value);
  throw new TypeError(`not a stored timestamp: ${String(value)}`);
}

const common = {
  date: toDate,
  nullableDate: (value: unknown) => (value === null || value === undefined ? null : toDate(value)),
  fromBool: (value: unknown) => value === true || value === 1 || value === "1" || value === "t",
};

/** SQLite's codec: epoch milliseconds and 0/1. */
export const SQLITE_VALUE_CODEC: ValueCodec = Object.freeze({
  ...common,
  timestamp: (date: Date) => date.getTime(),
  bool: (value: boolean) => (value ? 1 : 0),
});

/** Postgres's codec: Date (`timestamptz`) and boolean. */
export const POSTGRES_VALUE_CODEC: ValueCodec = Object.freeze({
  ...common,
  timestamp: (date: Date) => date,
  bool: (value: boolean) => value,
});

/** MySQL's codec: Date (`datetime(3)` holding UTC, read back as a Date) and boolean (`tinyint(1)`). */
export const MYSQL_VALUE_CODEC: ValueCodec = POSTGRES_VALUE_CODEC;

const CODECS: Readonly<Record<SqlDialect, ValueCodec>> = Object.freeze({
  sqlite: SQLITE_VALUE_CODEC,
  postgres: POSTGRES_VALUE_CODEC,
  mysql: MYSQL_VALUE_CODEC,
});

/**
 * The value codec of a dialect (the same object as `dialectAdapterFor(dialect).codec`).
 *
 * @param dialect - `sqlite`, `postgres` or `mysql`.
 * @returns the codec.
 */
export function valueCodecFor(dialect: SqlDialect): ValueCodec {
  return CODECS[dialect];
}
