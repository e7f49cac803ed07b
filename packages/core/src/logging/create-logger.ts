import { type Logger, pino } from "pino";
import { LOG_REDACT_PATHS, LOG_REDACTED } from "./log-redact-paths.js";

/** Options of {@link createLogger}. */
export interface CreateLoggerOptions {
  /** `logging.level`: fatal, error, warn, info, debug, trace or silent. Default `info`. */
  level?: string;
  /** Name in every line, for example `tidemark-cli`. */
  name?: string;
  /** File descriptor written to: 2 (stderr, the default) keeps logs apart from command output. */
  fd?: 1 | 2;
}

/**
 * A pino logger for Tidemark's processes: JSON lines on stderr (by default) at `logging.level`, so that
 * a command's output on stdout stays machine-readable. Credentials and secrets are redacted
 * ({@link LOG_REDACT_PATHS}).
 *
 * @param options - level, name, file descriptor.
 * @returns the logger.
 */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      ...(options.name === undefined ? {} : { name: options.name }),
      redact: { paths: [...LOG_REDACT_PATHS], censor: LOG_REDACTED },
    },
    pino.destination({ fd: options.fd ?? 2, sync: true }),
  );
}
