import { Fragment, useState } from "react";
import type { JsonValue } from "../api/wire-types";

/** Props of {@link JsonNode}. */
export interface JsonNodeProps {
  readonly value: JsonValue;
  /** Nesting depth; the indent is two spaces per level, as JSON.stringify(value, null, 2). */
  readonly depth: number;
  /** Where the value sits, e.g. "value", "value.items[2]"; names the collapse button. */
  readonly path: string;
}

/**
 * One JSON value rendered as the two-space pretty JSON text, each token in a span with its type's class
 * (`json-key`, `json-string`, `json-number`, `json-boolean`, `json-null`, `json-punct`). Non-empty objects
 * and arrays get a collapse button (`aria-expanded`, its glyph drawn by CSS so the text stays the JSON).
 *
 * @param props - see {@link JsonNodeProps}.
 */
export function JsonNode(props: JsonNodeProps) {
  const { value, depth, path } = props;
  const [open, setOpen] = useState(true);

  if (value === null) return <span className="json-null">null</span>;
  if (typeof value === "string") return <span className="json-string">{JSON.stringify(value)}</span>;
  if (typeof value === "number") return <span className="json-number">{JSON.stringify(value)}</span>;
  if (typeof value === "boolean") return <span className="json-boolean">{String(value)}</span>;

  const isArray = Array.isArray(value);
  const entries: [string, JsonValue][] = isArray
    ? value.map((item, i): [string, JsonValue] => [String(i), item])
    : Object.entries(value as Record<string, JsonValue>);
  const [start, end] = isArray ? ["[", "]"] : ["{", "}"];
  if (entries.length === 0) return <span className="json-punct">{start + end}</span>;

  const noun = isArray
    ? `${entries.length} item${entries.length === 1 ? "" : "s"}`
    : `${entries.length} key${entries.length === 1 ? "" : "s"}`;
  const toggle = (
    <button
      type="button"
      className="json-toggle"
      aria-expanded={open}
      aria-label={`${open ? "Collapse" : "Expand"} ${path} (${noun})`}
      onClick={() => setOpen(!open)}
    />
  );
  if (!open) {
    return (
      <>
        {toggle}
        <span className="json-punct">{start}</span>
        <span className="json-summary">{`… ${noun}`}</span>
        <span className="json-punct">{end}</span>
      </>
    );
  }
  const inner = "  ".repeat(depth + 1);
  return (
    <>
      {toggle}
      <span className="json-punct">{start}</span>
      {"\n"}
      {entries.map(([name, item], i) => (
        <Fragment key={name}>
          {inner}
          {isArray ? null : (
            <>
              <span className="json-key">{JSON.stringify(name)}</span>
              <span className="json-punct">: </span>
            </>
          )}
          <JsonNode
            value={item}
            depth={depth + 1}
            path={
              isArray
                ? `${path}[${name}]`
                : `${path}${/^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`}`
            }
          />
          {i < entries.length - 1 ? <span className="json-punct">,</span> : null}
          {"\n"}
        </Fragment>
      ))}
      {"  ".repeat(depth)}
      <span className="json-punct">{end}</span>
    </>
  );
}
