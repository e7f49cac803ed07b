import type { AssetStateEntry, StateEntry } from "../api/wire-types";
import { CopyButton } from "./copy-button";
import { Instant } from "./instant";
import { JsonViewer } from "./json-viewer";
import { LastUpdatedByText } from "./last-updated-by";
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
 * The detail panel of one key: its metadata, the full value in a JSON viewer (or, for an offloaded
 * value, the "Stored externally" badge, the raw reference with a copy button and why it cannot be
 * edited), and the Edit and Delete actions. An offloaded value has no Edit: a new value written here
 * would replace the reference and orphan the stored object.
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
            <span className="badge badge-external">Stored externally</span>
          </p>
          <div className="reference-raw">
            <span className="muted">Reference</span>{" "}
            <code className="reference-raw-ref" data-testid="entry-reference">
              {entry.ref ?? ""}
            </code>{" "}
            <CopyButton text={entry.ref ?? ""} label="Copy reference" />
          </div>
          <ReferenceExplanation stateRef={entry.ref ?? ""} />
        </>
      ) : (
        <JsonViewer value={entry.value} />
      )}
      {writable ? (
        <div className="actions">
          {entry.is_reference ? null : (
            <button type="button" onClick={props.onEdit}>
              Edit
            </button>
          )}
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
