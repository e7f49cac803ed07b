import type { ColumnTypes } from "../database/column-types.js";
import type { SqlDialect } from "../database/database-url.js";
import { dialectAdapterFor } from "../database/dialect-adapter.js";

export type { ColumnTypes } from "../database/column-types.js";

/**
 * The column types of a dialect (its adapter's `columnTypes`).
 *
 * @param dialect - `sqlite` or `postgres`.
 */
export function columnTypesFor(dialect: SqlDialect): ColumnTypes {
  return dialectAdapterFor(dialect).columnTypes;
}
