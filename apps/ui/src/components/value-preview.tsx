import type { StateEntry } from "../api/wire-types";
import { previewValue } from "../format/value-text";
import { ReferenceBadge } from "./reference-badge";

/**
 * One-line preview of an entry's value for the keys table; an offloaded value shows the
 * "Stored externally" badge with its reference instead of the envelope.
 *
 * @param props - `entry`.
 */
export function ValuePreview(props: { entry: StateEntry }) {
  const { entry } = props;
  if (entry.is_reference) return <ReferenceBadge stateRef={entry.ref ?? ""} />;
  return <code className="value-preview">{previewValue(entry.value)}</code>;
}
