import type { AssetStateEntry, StateEntry } from "../api/wire-types";
import { formatValue } from "../format/value-text";
import { Instant } from "./instant";
import { LastUpdatedByText } from "./last-updated-by";
import { ReferenceBadge } from "./reference-badge";
import { ReferenceExplanation } from "./reference-explanation";

/** Props of {@link EntryDetail}. */
export interface EntryDetailProps {
  readonly entry: StateEntry | AssetStateEntry;
  readonly kind: "task" | "asset";
  /** Why the scope is read-only (inactive asset), or undefined. */
  readonly readOnlyReason: string | undefined;
  readonly onEdit: () => void;
  readonly onDelete: () => void;
  readonly onClose: () => void;
}

/**
 * The detail panel of one key: its metadata, the full value as formatted JSON (or, for an offloaded
 * value, the "Stored externally" badge, the reference and why it cannot be edited), and the Edit and
 * Delete actions.
 *
 * @param props - see {@link EntryDetailProps}.
 */
export function EntryDetail(props: EntryDetailProps) {
  const { entry } = props;
  const writable = props.readOnlyReason === undefined;
  return (
    <section className="panel" aria-labelledby="entry-detail-title">
      <header className="panel-header">
        <h2 id="entry-detail-title">
          Key <code>{entry.key}</code>
        </h2>
        <button type="button" className="link-button" onClick={props.onClose}>
          Close
        </button>
      </header>
      <dl className="meta">
        <dt>Version</dt>
        <dd data-testid="entry-version">{entry.version}</dd>
        <dt>Updated</dt>
        <dd>
          <Instant iso={entry.updated_at} />
        </dd>
        {props.kind === "task" ? (
          <>
            <dt>Expires</dt>
            <dd>
              <Instant iso={entry.expires_at} nullText="Never (kept until deleted or cleared)" />
            </dd>
          </>
        ) : (
          <>
            <dt>Last updated by</dt>
            <dd>
              <LastUpdatedByText writer={(entry as AssetStateEntry).last_updated_by} />
            </dd>
          </>
        )}
      </dl>
      <h3>Value</h3>
      {entry.is_reference ? (
        <>
          <p>
            <ReferenceBadge stateRef={entry.ref ?? ""} />
          </p>
          <ReferenceExplanation stateRef={entry.ref ?? ""} />
        </>
      ) : (
        <pre className="value-json" data-testid="entry-value">
          {formatValue(entry.value)}
        </pre>
      )}
      {writable ? (
        <div className="actions">
          <button type="button" onClick={props.onEdit}>
            Edit
          </button>
          <button type="button" className="danger" onClick={props.onDelete}>
            Delete
          </button>
        </div>
      ) : (
        <p className="muted">{props.readOnlyReason}</p>
      )}
    </section>
  );
}
