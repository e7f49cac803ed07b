import { type ReactNode, useEffect, useId, useState } from "react";
import { useApi } from "../api/api-context";
import type { AssetStateEntry, StateEntry } from "../api/wire-types";
import { isExpired } from "../format/format-time";
import type { StateCollection } from "../state/state-collection";
import { useAsync } from "../state/use-async";
import { useDebounced } from "../state/use-debounced";
import { ConfirmDialog } from "./confirm-dialog";
import { EmptyState } from "./empty-state";
import { EntryDetail } from "./entry-detail";
import { EntryEditor } from "./entry-editor";
import { EntryTable } from "./entry-table";
import { ErrorMessage } from "./error-message";

/** Keys per page of the table. */
export const ENTRY_PAGE_SIZE = 100;

/** Props of {@link StateBrowser}. */
export interface StateBrowserProps {
  readonly collection: StateCollection;
  /** The key whose detail is open (from the URL). */
  readonly selectedKey: string | undefined;
  readonly onSelectKey: (key: string | undefined) => void;
  /** What to do when the scope has no keys at all. */
  readonly emptyHint: ReactNode;
  /** Extra toolbar buttons (the page's Clear). */
  readonly toolbar?: ReactNode;
  /** Changing it reloads the table and the detail (after a clear). */
  readonly reloadSignal?: number;
  /** Called after a save or delete, so the page can refresh its counts. */
  readonly onChanged?: () => void;
  /** A status line from the page (e.g. after a clear). */
  readonly status?: string | undefined;
}

type Panel =
  | { readonly kind: "none" }
  | { readonly kind: "add" }
  | { readonly kind: "edit"; readonly entry: StateEntry | AssetStateEntry };

/**
 * The keys of one scope with everything an operator does to them: filter by prefix, page, open a key's
 * detail, add (If-None-Match: *), edit (stale edits refused through If-Match), delete behind a
 * confirmation. Expired entries are never shown. Shared by the task state and asset state pages.
 *
 * @param props - see {@link StateBrowserProps}.
 */
export function StateBrowser(props: StateBrowserProps) {
  const { config } = useApi();
  const { collection, selectedKey, onSelectKey, onChanged } = props;
  const prefixId = useId();
  const [prefix, setPrefix] = useState("");
  const settledPrefix = useDebounced(prefix);
  const [offset, setOffset] = useState(0);
  const [panel, setPanel] = useState<Panel>({ kind: "none" });
  const [deleting, setDeleting] = useState<StateEntry | undefined>(undefined);
  const [status, setStatus] = useState<string | undefined>(undefined);
  const [localReload, setLocalReload] = useState(0);
  const reloadSignal = (props.reloadSignal ?? 0) + localReload;

  useEffect(() => {
    setOffset(0);
    setPanel({ kind: "none" });
  }, [collection.identity, settledPrefix]);
  useEffect(() => setStatus(props.status), [props.status]);

  const [list, reloadList] = useAsync(
    () =>
      collection.list({
        limit: ENTRY_PAGE_SIZE,
        offset,
        ...(settledPrefix ? { prefix: settledPrefix } : {}),
      }),
    [collection.identity, settledPrefix, offset],
    reloadSignal,
  );
  const [detail, reloadDetail] = useAsync(
    () => (selectedKey === undefined ? Promise.resolve(undefined) : collection.get(selectedKey)),
    [collection.identity, selectedKey],
    reloadSignal,
  );

  const afterChange = (message: string) => {
    setStatus(message);
    setLocalReload((n) => n + 1);
    onChanged?.();
  };

  const now = Date.now();
  const page = list.data;
  const entries = page ? page.items.filter((entry) => !isExpired(entry.expires_at, now)) : [];
  const readOnly = collection.readOnlyReason;

  let side: ReactNode = null;
  if (panel.kind === "add" || panel.kind === "edit") {
    side = (
      <EntryEditor
        key={panel.kind === "edit" ? `edit:${panel.entry.key}:${panel.entry.version}` : "add"}
        collection={collection}
        entry={panel.kind === "edit" ? panel.entry : undefined}
        defaultRetentionDays={config.default_retention_days}
        maxValueBytes={config.max_value_storage_bytes}
        onCancel={() => {
          setPanel({ kind: "none" });
          reloadList();
          reloadDetail();
        }}
        onSaved={(entry) => {
          setPanel({ kind: "none" });
          onSelectKey(entry.key);
          afterChange(`Saved “${entry.key}” (version ${entry.version}).`);
        }}
      />
    );
  } else if (selectedKey !== undefined) {
    if (detail.status === "error") {
      side = (
        <section className="panel" aria-label={`Key ${selectedKey}`}>
          <ErrorMessage error={detail.error} context={{ key: selectedKey }} onRetry={reloadDetail} />
          <button type="button" className="link-button" onClick={() => onSelectKey(undefined)}>
            Close
          </button>
        </section>
      );
    } else if (detail.data && !isExpired(detail.data.expires_at, now)) {
      const entry = detail.data;
      side = (
        <EntryDetail
          entry={entry}
          kind={collection.kind}
          readOnlyReason={readOnly}
          onEdit={() => setPanel({ kind: "edit", entry })}
          onDelete={() => setDeleting(entry)}
          onClose={() => onSelectKey(undefined)}
        />
      );
    } else {
      side = (
        <p className="panel muted" aria-live="polite">
          Loading “{selectedKey}”…
        </p>
      );
    }
  }

  return (
    <div className="browser">
      <div className="browser-main">
        <div className="toolbar">
          <div className="toolbar-filter">
            <label htmlFor={prefixId}>Key prefix</label>
            <input
              id={prefixId}
              type="search"
              value={prefix}
              onChange={(event) => setPrefix(event.target.value)}
              placeholder="e.g. offsets/"
              autoComplete="off"
            />
          </div>
          <div className="toolbar-actions">
            <button type="button" onClick={() => setPanel({ kind: "add" })} disabled={readOnly !== undefined}>
              Add key
            </button>
            {props.toolbar}
            <button
              type="button"
              onClick={() => {
                reloadList();
                reloadDetail();
              }}
            >
              Refresh
            </button>
          </div>
        </div>
        {readOnly ? <p className="message message-info">{readOnly}</p> : null}
        <p className="status" aria-live="polite" role="status">
          {status ?? ""}
        </p>
        {list.status === "error" ? <ErrorMessage error={list.error} onRetry={reloadList} /> : null}
        {list.status === "loading" && !page ? <p className="muted">Loading keys…</p> : null}
        {page && entries.length === 0 ? (
          settledPrefix ? (
            <EmptyState title={`No key starts with “${settledPrefix}”.`}>
              Clear the prefix filter to see every key.
            </EmptyState>
          ) : (
            <EmptyState title={`No state for ${collection.scopeText}.`}>{props.emptyHint}</EmptyState>
          )
        ) : null}
        {entries.length > 0 ? (
          <>
            <p className="muted">
              {page && page.total > entries.length
                ? `Keys ${offset + 1}–${offset + entries.length} of ${page.total}`
                : `${entries.length} key${entries.length === 1 ? "" : "s"}`}
            </p>
            <EntryTable
              entries={entries}
              kind={collection.kind}
              selectedKey={selectedKey}
              onSelect={(key) => {
                setPanel({ kind: "none" });
                onSelectKey(key);
              }}
              now={now}
              caption={`State keys of ${collection.scopeText}`}
            />
          </>
        ) : null}
        {page && page.total > ENTRY_PAGE_SIZE ? (
          <nav className="pager" aria-label="Key pages">
            <button
              type="button"
              disabled={offset === 0}
              onClick={() => setOffset(Math.max(0, offset - ENTRY_PAGE_SIZE))}
            >
              Previous
            </button>
            <button
              type="button"
              disabled={offset + ENTRY_PAGE_SIZE >= page.total}
              onClick={() => setOffset(offset + ENTRY_PAGE_SIZE)}
            >
              Next
            </button>
          </nav>
        ) : null}
      </div>
      {side ? <div className="browser-side">{side}</div> : null}
      {deleting ? (
        <ConfirmDialog
          title={`Delete key “${deleting.key}”?`}
          confirmLabel="Delete key"
          errorContext={{ key: deleting.key, scope: collection.scopeText }}
          onCancel={() => setDeleting(undefined)}
          onConfirm={async () => {
            // The confirmation names this version: a key rewritten meanwhile is not deleted (412).
            await collection.remove(deleting.key, { ifVersion: deleting.version });
            const key = deleting.key;
            setDeleting(undefined);
            if (selectedKey === key) onSelectKey(undefined);
            afterChange(`Deleted “${key}”.`);
          }}
        >
          <p>
            This deletes the key <code>{deleting.key}</code> (version {deleting.version}) of{" "}
            {collection.scopeText}. It cannot be undone.
          </p>
          {deleting.is_reference ? (
            <p>
              Only the reference <code>{deleting.ref}</code> is removed from the state store; whether the
              stored object is removed as well is up to the worker backend's cleanup.
            </p>
          ) : null}
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
