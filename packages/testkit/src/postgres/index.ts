export { checkTestPostgres } from "./check-test-postgres.js";
export { TEST_POSTGRES_URL, testSchemaName } from "./test-postgres-url.js";
export {
  findPostgresBinDir,
  type StartThrowawayPostgresOptions,
  startThrowawayPostgres,
  type ThrowawayPostgres,
  throwawayPostgresSkipReason,
} from "./throwaway-postgres.js";
