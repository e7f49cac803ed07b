import { randomBytes } from "node:crypto";

/** The Postgres tests use: `TIDEMARK_TEST_POSTGRES_URL`, or `postgres://postgres@127.0.0.1:5432/test`. */
export const TEST_POSTGRES_URL: string =
  process.env.TIDEMARK_TEST_POSTGRES_URL || "postgres://postgres@127.0.0.1:5432/test";

/**
 * A fresh schema name for one test, so tests on one server never see each other's tables.
 *
 * @param prefix - the start of the name (letters, digits and `_`).
 * @returns `<prefix><12 hex digits>`.
 */
export function testSchemaName(prefix = "tidemark_test_"): string {
  return `${prefix}${randomBytes(6).toString("hex")}`;
}
