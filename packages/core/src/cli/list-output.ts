import { printJson } from "./json-output.js";
import { type OutputFormat, renderTable } from "./output-format.js";

/** What {@link printList} prints. */
export interface ListOutput {
  readonly format: OutputFormat;
  /** The JSON document (the REST API's envelope, for example `{"dags": […], "total_entries": 3}`). */
  readonly json: unknown;
  readonly headers: readonly string[];
  /** The table rows of this page. */
  readonly rows: readonly (readonly string[])[];
  /** The sentence printed when nothing matches at all, for example `No dag runs for dag "etl".` */
  readonly empty: string;
  /** What is listed, plural, for the page line (for example `keys`). */
  readonly noun: string;
  /** Items skipped before this page. */
  readonly offset: number;
  /** Items matching in all. */
  readonly total: number;
}

/**
 * Prints a page of a list command: JSON as is (an empty list stays valid JSON); in table mode the rows
 * and a line `(dag runs 1-3 of 3)`, the `empty` sentence when nothing matches, or `(no keys at offset 200
 * of 5)` when the offset is past the end.
 *
 * @param list - the page.
 */
export function printList(list: ListOutput): void {
  if (list.format === "json") {
    printJson(list.json);
    return;
  }
  if (list.total === 0 && list.rows.length === 0) {
    process.stdout.write(`${list.empty}\n`);
    return;
  }
  if (list.rows.length === 0) {
    process.stdout.write(`(no ${list.noun} at offset ${list.offset} of ${list.total})\n`);
    return;
  }
  process.stdout.write(renderTable(list.headers, list.rows));
  process.stdout.write(
    `(${list.noun} ${list.offset + 1}-${list.offset + list.rows.length} of ${Math.max(list.total, list.offset + list.rows.length)})\n`,
  );
}
