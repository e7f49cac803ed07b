export { checkTestMysql } from "./check-test-mysql.js";
export { TEST_MYSQL_URL, testMysqlDatabaseUrl } from "./test-mysql-url.js";
