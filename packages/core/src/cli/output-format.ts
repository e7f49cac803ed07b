import { StateStoreError } from "@tidemark/state";

/** How a command prints its result: an aligned table for people, or JSON for scripts. */
export type OutputFormat = "table" | "json";

/**
 * Resolves `--output`: `table` or `json`; when not given, a table on a terminal and JSON otherwise (so
 * `tidemark … | jq` needs no flag).
 *
 * @param option - the `--output` value, or undefined.
 * @param isTty - whether stdout is a terminal. Default `process.stdout.isTTY`.
 * @returns the format.
 * @throws StateStoreError `INVALID_VALUE` naming the accepted values.
 */
export function outputFormat(
  option: string | undefined,
  isTty = process.stdout.isTTY === true,
): OutputFormat {
  if (option === undefined) return isTty ? "table" : "json";
  if (option === "table" || option === "json") return option;
  throw new StateStoreError(
    "INVALID_VALUE",
    `--output must be "table" or "json", got ${JSON.stringify(option)}`,
    {
      details: { option: "--output" },
    },
  );
}

/** Longest cell text a table shows; longer text is cut with an ellipsis. */
export const MAX_CELL_WIDTH = 60;

function cell(text: string): string {
  const flat = text.replace(/[\r\n\t]+/g, " ");
  return flat.length > MAX_CELL_WIDTH ? `${flat.slice(0, MAX_CELL_WIDTH - 1)}…` : flat;
}

/**
 * Renders rows as a left-aligned text table with a header line, columns separated by two spaces, cells cut
 * at {@link MAX_CELL_WIDTH} characters.
 *
 * @param headers - column titles.
 * @param rows - the cells, one array per row.
 * @returns the table, ending with a newline ("" when there are no headers).
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  if (headers.length === 0) return "";
  const cells = [headers.map(cell), ...rows.map((r) => headers.map((_, i) => cell(r[i] ?? "")))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] as string).length)));
  return `${cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] as number))).join("  ")).join("\n")}\n`;
}

/**
 * Renders one record as `name: value` lines with the names aligned.
 *
 * @param fields - the field names and their text, in order.
 * @returns the lines, ending with a newline.
 */
export function renderRecord(fields: readonly (readonly [string, string])[]): string {
  const width = Math.max(0, ...fields.map(([name]) => name.length));
  return `${fields.map(([name, value]) => `${`${name}:`.padEnd(width + 2)}${value}`).join("\n")}\n`;
}
