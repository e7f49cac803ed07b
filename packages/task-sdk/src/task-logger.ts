/**
 * One log method: `(message)` or `(fields, message)`, as pino's. A pino logger is assignable to
 * {@link TaskLogger}, so the SDK needs no logging dependency.
 */
export type TaskLogMethod = (fieldsOrMessage: object | string, message?: string) => void;

/**
 * The logger task code receives as `ctx.log` and the SDK writes its own warnings to. pino-compatible:
 * pass `pino()` (or a child of it) where a `TaskLogger` is asked for.
 */
export interface TaskLogger {
  /** Writes at level `debug`. */
  debug: TaskLogMethod;
  /** Writes at level `info`. */
  info: TaskLogMethod;
  /** Writes at level `warn`. */
  warn: TaskLogMethod;
  /** Writes at level `error`. */
  error: TaskLogMethod;
}

/** A level of {@link TaskLogger}, lowest first; the values of `logging.level` except `silent`. */
export type TaskLogLevel = "debug" | "info" | "warn" | "error";
const LEVELS: readonly TaskLogLevel[] = ["debug", "info", "warn", "error"];

/** Options of {@link createConsoleTaskLogger}. */
export interface ConsoleTaskLoggerOptions {
  /** Lowest level written. Default `info`. */
  level?: TaskLogLevel | "silent";
  /** Fields added to every line, for example `{ti_id}`. */
  bindings?: Readonly<Record<string, unknown>>;
  /** Where lines go. Default `process.stderr`. */
  write?: (line: string) => void;
}

/**
 * A dependency-free {@link TaskLogger} writing one JSON object per line (`{"level","time","msg",…fields}`,
 * pino's shape) to standard error.
 *
 * @param options - the lowest level (`info` by default, `silent` writes nothing), fields bound to every
 *   line, and the line writer.
 * @returns the logger.
 */
export function createConsoleTaskLogger(options: ConsoleTaskLoggerOptions = {}): TaskLogger {
  const threshold = options.level === "silent" ? LEVELS.length : LEVELS.indexOf(options.level ?? "info");
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const bindings = options.bindings ?? {};
  const method =
    (level: TaskLogLevel): TaskLogMethod =>
    (fieldsOrMessage, message) => {
      if (LEVELS.indexOf(level) < threshold) return;
      const fields = typeof fieldsOrMessage === "string" ? {} : fieldsOrMessage;
      const msg = typeof fieldsOrMessage === "string" ? fieldsOrMessage : (message ?? "");
      let line: string;
      try {
        line = JSON.stringify({ level, time: new Date().toISOString(), ...bindings, ...fields, msg });
      } catch {
        line = JSON.stringify({ level, time: new Date().toISOString(), ...bindings, msg });
      }
      write(line);
    };
  return { debug: method("debug"), info: method("info"), warn: method("warn"), error: method("error") };
}

/** A {@link TaskLogger} that discards everything. */
export const silentTaskLogger: TaskLogger = Object.freeze({
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
});
