import type { Expression } from "kysely";

/** Column types that differ between the dialects, for migrations written once for both. */
export interface ColumnTypes {
  /** Surrogate key of a small table: `integer` identity (Postgres) / `integer primary key autoincrement`. */
  readonly serialId: "integer";
  /** Surrogate key of a large table: `bigint` identity (Postgres) / the SQLite rowid (`integer`). */
  readonly bigSerialId: "bigint" | "integer";
  /** A UTC instant: `timestamptz` / INTEGER epoch milliseconds. */
  readonly timestamp: "timestamptz" | "integer";
  /** `boolean` / INTEGER 0 or 1. */
  readonly boolean: "boolean" | "integer";
  /** A UUID: `uuid` / text. */
  readonly uuid: "uuid" | "text";
  /**
   * A state key, compared byte by byte so that key order (and prefix ranges) are the same on both
   * dialects: `varchar(512) collate "C"` / `varchar(512)` (SQLite's default BINARY collation).
   */
  readonly stateKey: Expression<unknown> | "varchar(512)";
}
