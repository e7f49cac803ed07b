import type { AssetStateEntry, StateEntry } from "../api/wire-types";
import { Instant } from "./instant";
import { LastUpdatedByText } from "./last-updated-by";
import { ValuePreview } from "./value-preview";

/** Props of {@link EntryTable}. */
export interface EntryTableProps {
  /** The entries to show (already without expired ones). */
  readonly entries: readonly (StateEntry | AssetStateEntry)[];
  /** "task" shows an Expires column; "asset" a Last updated by column. */
  readonly kind: "task" | "asset";
  /** The key whose detail is open. */
  readonly selectedKey: string | undefined;
  readonly onSelect: (key: string) => void;
  /** Reference instant for relative times, ms since the epoch (Date.now() by default). */
  readonly now?: number;
  /** A caption naming the scope, for screen readers. */
  readonly caption: string;
}

/**
 * The keys of a scope: key (a button that opens the detail), value preview (or the "Stored externally"
 * badge), version, updated and expiry as local and relative time (task state) or the last writer
 * (asset state).
 *
 * @param props - see {@link EntryTableProps}.
 */
export function EntryTable(props: EntryTableProps) {
  return (
    <div className="table-scroll">
      <table className="entries">
        <caption className="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Value</th>
            <th scope="col">Version</th>
            <th scope="col">Updated</th>
            {props.kind === "task" ? <th scope="col">Expires</th> : <th scope="col">Last updated by</th>}
          </tr>
        </thead>
        <tbody>
          {props.entries.map((entry) => {
            const selected = entry.key === props.selectedKey;
            return (
              <tr key={entry.key} className={selected ? "selected" : undefined}>
                <th scope="row">
                  <button
                    type="button"
                    className="link-button key-button"
                    onClick={() => props.onSelect(entry.key)}
                    aria-current={selected ? "true" : undefined}
                  >
                    {entry.key}
                  </button>
                </th>
                <td className="value-cell">
                  <ValuePreview entry={entry} />
                </td>
                <td className="numeric">{entry.version}</td>
                <td>
                  <Instant iso={entry.updated_at} {...(props.now !== undefined ? { now: props.now } : {})} />
                </td>
                <td>
                  {props.kind === "task" ? (
                    <Instant
                      iso={entry.expires_at}
                      {...(props.now !== undefined ? { now: props.now } : {})}
                    />
                  ) : (
                    <LastUpdatedByText writer={(entry as AssetStateEntry).last_updated_by} />
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
