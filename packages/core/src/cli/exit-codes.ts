import { isStateStoreError, type StateStoreErrorCode } from "@tidemark/state";
import { CommanderError } from "commander";

/**
 * The exit codes of `tidemark`, one per kind of outcome, so scripts can branch on them:
 *
 * - `OK` 0: the command did what it was asked;
 * - `FAILURE` 1: any other error (authentication, configuration, an unsupported operation, a
 *   confirmation answered "no", a wrong `--api-url` path, a bug);
 * - `USAGE` 2: the command line or its input was refused: an unknown command or option, a missing
 *   argument, a bad option value, an invalid key, value, scope or import file, or a destructive command
 *   run without a terminal and without `--yes`;
 * - `NOT_FOUND` 3: the key, task instance, dag run or asset does not exist;
 * - `CONFLICT` 4: a compare-and-set or conditional request did not hold, or the thing exists already;
 * - `UNAVAILABLE` 5: the database, object storage or api-server could not be reached or failed.
 */
export const EXIT_CODES = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  NOT_FOUND: 3,
  CONFLICT: 4,
  UNAVAILABLE: 5,
} as const;

/** One of the {@link EXIT_CODES}. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** The exit code of each error code; codes missing here exit with `FAILURE`. */
const BY_ERROR_CODE: Partial<Record<StateStoreErrorCode, ExitCode>> = {
  INVALID_KEY: EXIT_CODES.USAGE,
  INVALID_VALUE: EXIT_CODES.USAGE,
  INVALID_SCOPE: EXIT_CODES.USAGE,
  VALUE_TOO_LARGE: EXIT_CODES.USAGE,
  NOT_FOUND: EXIT_CODES.NOT_FOUND,
  DAG_RUN_NOT_FOUND: EXIT_CODES.NOT_FOUND,
  TASK_INSTANCE_NOT_FOUND: EXIT_CODES.NOT_FOUND,
  ASSET_NOT_FOUND: EXIT_CODES.NOT_FOUND,
  CONFLICT: EXIT_CODES.CONFLICT,
  PRECONDITION_FAILED: EXIT_CODES.CONFLICT,
  BACKEND_UNAVAILABLE: EXIT_CODES.UNAVAILABLE,
};

/**
 * The exit code for what a command threw: a commander usage error is `USAGE` (its help and version
 * "errors" are `OK`); a `StateStoreError` maps by its code, so over `--api-url` by the HTTP status the
 * code came from (`ROUTE_NOT_FOUND` is `FAILURE`: it means a wrong `--api-url`, not a missing thing); a
 * timeout or refused connection is `UNAVAILABLE`; anything else is `FAILURE`.
 *
 * @param error - what a command threw.
 * @returns the exit code.
 */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_CODES.OK : EXIT_CODES.USAGE;
  // Over --api-url the client already turned each HTTP status into a code (errorCodeForHttpStatus).
  if (isStateStoreError(error)) return BY_ERROR_CODE[error.code] ?? EXIT_CODES.FAILURE;
  const code = (error as { code?: unknown } | null)?.code;
  if (
    (error as Error | null)?.name === "TimeoutError" ||
    ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND"].includes(String(code))
  ) {
    return EXIT_CODES.UNAVAILABLE;
  }
  return EXIT_CODES.FAILURE;
}

/** The exit code table as `tidemark --help` prints it after the commands. */
export const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  other error (authentication, configuration, unsupported operation, confirmation declined)
  2  usage: unknown command or option, bad option value, invalid key, value, scope or import file,
     or a destructive command without a terminal and without --yes
  3  not found: key, task instance, dag run or asset
  4  conflict: a compare-and-set (--if-version) or conditional write did not hold, or it exists already
  5  unavailable: the database, object storage or api-server could not be reached or failed
`;
