import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { DemoReport } from "./report.js";

/**
 * Writes the report as JSON (for scripts and the end-to-end test).
 *
 * @param path - the file, relative to the working directory; its directory is created.
 * @param report - the report.
 */
export function writeReportJson(path: string, report: DemoReport): void {
  const file = resolve(path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}
