import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { dirname } from "node:path";
import { createConsoleTaskLogger, type TaskLogger } from "@tidemark/task-sdk";

/** A JSON-lines log file the tasks write to, so the terminal shows only progress and the report. */
export interface TaskLogFile {
  readonly path: string;
  /** A logger for one try, with fields bound to every line. */
  logger(bindings: Record<string, unknown>): TaskLogger;
  /** Flushes and closes the file. */
  close(): Promise<void>;
}

type Level = "debug" | "info" | "warn" | "error" | "silent";

function taskLevel(level: string): Level {
  if (level === "trace") return "debug";
  if (level === "fatal") return "error";
  return (["debug", "info", "warn", "error", "silent"] as const).includes(level as Level)
    ? (level as Level)
    : "info";
}

/**
 * Opens (appends to) the task log file.
 *
 * @param path - the file; its directory is created.
 * @param level - `logging.level`.
 * @returns the log file.
 */
export function openTaskLog(path: string, level: string): TaskLogFile {
  mkdirSync(dirname(path), { recursive: true });
  const stream: WriteStream = createWriteStream(path, { flags: "a" });
  return {
    path,
    logger: (bindings) =>
      createConsoleTaskLogger({
        level: taskLevel(level),
        bindings,
        write: (line) => stream.write(`${line}\n`),
      }),
    close: () => new Promise<void>((done) => stream.end(done)),
  };
}
