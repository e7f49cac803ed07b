import type { JsonValue } from "../api/wire-types";
import { formatValue } from "../format/value-text";
import { CopyButton } from "./copy-button";
import { JsonNode } from "./json-node";

/**
 * A state value as highlighted, collapsible pretty JSON, with a button that copies the JSON text.
 *
 * @param props - `value`, and `label` naming it for the copy button and the region ("value" by default).
 */
export function JsonViewer(props: { value: JsonValue; label?: string }) {
  const label = props.label ?? "value";
  return (
    <div className="json-viewer">
      <div className="json-toolbar">
        <CopyButton text={formatValue(props.value)} label={`Copy ${label}`} />
      </div>
      <pre className="value-json" data-testid="entry-value">
        <JsonNode value={props.value} depth={0} path={label} />
      </pre>
    </div>
  );
}
