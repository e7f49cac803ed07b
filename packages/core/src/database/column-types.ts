import type { Expression } from "kysely";

/** Column types that differ between the dialects, for migrations written once for both. */
export interface ColumnTypes {
  /** Surrogate key of a small table: `integer` identity (Postgres) / `integer primary key autoincrement`. */
  readonly serialId: "integer";
  /** Surrogate key of a large table: `bigint` identity (Postgres) / the SQLite rowid (`integer`). */
  readonly bigSerialId: "bigint" | "integer";
  /** A UTC instant: `timestamptz` / INTEGER epoch milliseconds / MySQL `datetime(3)` holding UTC. */
  readonly timestamp: "timestamptz" | "integer" | "datetime(3)";
  /** `boolean` / INTEGER 0 or 1. */
  readonly boolean: "boolean" | "integer";
  /** A UUID: `uuid` / text / MySQL `char(36)` ASCII. */
  readonly uuid: Expression<unknown> | "uuid" | "text";
  /**
   * A state key, compared byte by byte so that key order (and prefix ranges) are the same on both
   * dialects: `varchar(512) collate "C"` / `varchar(512)` (SQLite's default BINARY collation) / MySQL
   * `varbinary(2048)`.
   */
  readonly stateKey: Expression<unknown> | "varchar(512)";
  /**
   * A dag id, run id or task id that keys a unique index: `text`; MySQL `varbinary(750)` (MySQL indexes no
   * `text`, and bytes compare exactly).
   */
  readonly identifier: Expression<unknown> | "text";
  /** An asset's name or URI, unique: `text`; MySQL `varbinary(3072)`, InnoDB's longest index key. */
  readonly assetText: Expression<unknown> | "text";
  /** A stored value (JSON text): `text`; MySQL `mediumtext`. */
  readonly value: Expression<unknown> | "text";
}
