/**
 * Python's `repr()` of a string or an integer, so messages that Airflow builds with `{value!r}` read the
 * same from Tidemark (reference: Airflow's Core API 404 details such as `Task state store key 'k' not
 * found`). A string is single-quoted unless it holds a `'` and no `"`; backslashes, the quote and control
 * characters are escaped as Python does.
 *
 * @param value - the string or integer.
 * @returns its Python repr, for example `'a\'b'` → `"a'b"` and `5` → `5`.
 */
export function pythonRepr(value: string | number): string {
  if (typeof value === "number") return String(value);
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else if (code >= 0x80 && code <= 0xa0) out += `\\x${code.toString(16)}`;
    else out += ch;
  }
  return out + quote;
}
