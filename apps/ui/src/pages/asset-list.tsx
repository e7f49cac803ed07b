import { useId, useState } from "react";
import { useApi } from "../api/api-context";
import type { AssetSummary, Page } from "../api/wire-types";
import { EmptyState } from "../components/empty-state";
import { ErrorMessage } from "../components/error-message";
import { countText } from "../format/count-text";
import { useAsync } from "../state/use-async";
import { useDebounced } from "../state/use-debounced";

/** Assets per page of the list. */
export const ASSET_PAGE_SIZE = 50;

/** Props of {@link AssetList}. */
export interface AssetListProps {
  /** The asset whose state is shown (by name). */
  readonly selectedName: string | undefined;
  readonly onSelect: (asset: AssetSummary) => void;
  /** Changing it reloads the list (key counts after a write or clear). */
  readonly reloadSignal?: number;
}

/**
 * The assets (name, URI, active or not, key count), searchable and paged; choosing one opens its state.
 *
 * @param props - see {@link AssetListProps}.
 */
export function AssetList(props: AssetListProps) {
  const { client } = useApi();
  const searchId = useId();
  const [search, setSearch] = useState("");
  const settled = useDebounced(search.trim());
  const [offset, setOffset] = useState(0);
  const [state, reload] = useAsync<Page<AssetSummary>>(
    () => client.listAssets({ search: settled, offset, limit: ASSET_PAGE_SIZE }),
    [settled, offset],
    props.reloadSignal,
  );
  const page = state.data;

  return (
    <section className="asset-list" aria-labelledby="asset-list-title">
      <h2 id="asset-list-title">Assets</h2>
      <label htmlFor={searchId} className="visually-hidden">
        Search assets
      </label>
      <input
        id={searchId}
        type="search"
        placeholder="Search assets by name or URI…"
        value={search}
        onChange={(event) => {
          setSearch(event.target.value);
          setOffset(0);
        }}
        autoComplete="off"
      />
      {state.status === "error" ? <ErrorMessage error={state.error} onRetry={reload} /> : null}
      {state.status === "loading" && !page ? <p className="muted">Loading assets…</p> : null}
      {page && page.items.length === 0 ? (
        settled ? (
          <p className="muted">No asset matches “{settled}”.</p>
        ) : (
          <EmptyState title="No assets yet.">
            <p>
              Register one with <code>tidemark assets register --name NAME --uri URI</code>, or let a dag that
              declares it run.
            </p>
          </EmptyState>
        )
      ) : null}
      {page && page.items.length > 0 ? (
        <table className="assets">
          <caption className="visually-hidden">Assets</caption>
          <thead>
            <tr>
              <th scope="col">Name and URI</th>
              <th scope="col">Active</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((asset) => {
              const selected = asset.name === props.selectedName;
              return (
                <tr key={asset.id} className={selected ? "selected" : undefined}>
                  <th scope="row">
                    <button
                      type="button"
                      className="link-button"
                      aria-current={selected ? "true" : undefined}
                      onClick={() => props.onSelect(asset)}
                    >
                      {asset.name}
                    </button>
                    <code className="asset-uri">{asset.uri}</code>
                  </th>
                  <td>
                    {asset.active ? (
                      <span className="badge badge-active">active</span>
                    ) : (
                      <span className="badge badge-inactive">inactive</span>
                    )}
                  </td>
                  <td className="numeric">{countText(asset.state_key_count, "key")}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {page && page.total > ASSET_PAGE_SIZE ? (
        <nav className="pager" aria-label="Asset pages">
          <span className="muted">
            {offset + 1}–{offset + page.items.length} of {page.total}
          </span>
          <button
            type="button"
            disabled={offset === 0}
            onClick={() => setOffset(Math.max(0, offset - ASSET_PAGE_SIZE))}
          >
            Previous
          </button>
          <button
            type="button"
            disabled={offset + ASSET_PAGE_SIZE >= page.total}
            onClick={() => setOffset(offset + ASSET_PAGE_SIZE)}
          >
            Next
          </button>
        </nav>
      ) : null}
    </section>
  );
}
