/** The MySQL or MariaDB the tests use: `TIDEMARK_TEST_MYSQL_URL`, or `mysql://root@127.0.0.1:3306/test`. */
export const TEST_MYSQL_URL: string =
  process.env.TIDEMARK_TEST_MYSQL_URL || "mysql://root@127.0.0.1:3306/test";

/**
 * The `database.url` of another database on the test MySQL server: {@link TEST_MYSQL_URL} with its path
 * replaced (`mariadb://` spelled `mysql://`).
 *
 * @param database - the database name (letters, digits, `_`).
 * @returns the URL.
 */
export function testMysqlDatabaseUrl(database: string): string {
  const url = new URL(TEST_MYSQL_URL.replace(/^mariadb:/, "mysql:"));
  url.pathname = `/${database}`;
  return url.toString();
}
