import { type DependencyList, type ReactNode, useEffect, useId, useState } from "react";
import type { Page } from "../api/wire-types";
import { useAsync } from "../state/use-async";
import { useDebounced } from "../state/use-debounced";
import { EmptyState } from "./empty-state";
import { ErrorMessage } from "./error-message";

/** One choice of a {@link SearchablePicker}. */
export interface PickerOption {
  /** Stable identity, compared with `selectedId`. */
  readonly id: string;
  /** The main text (also the button's accessible name). */
  readonly label: string;
  /** Secondary text, e.g. "3 keys" or a date. */
  readonly detail?: ReactNode;
}

/** Props of {@link SearchablePicker}. */
export interface SearchablePickerProps<T> {
  /** What is picked, e.g. "Dag"; the group's legend. */
  readonly label: string;
  /** Loads one page of items for a search text (server-side search). */
  readonly load: (search: string, offset: number, limit: number) => Promise<Page<T>>;
  /** Reload from the first page when these change (e.g. the dag a run picker belongs to). */
  readonly deps: DependencyList;
  /** Changing it reloads the first page, keeping the shown items meanwhile (fresh counts). */
  readonly refreshKey?: unknown;
  readonly toOption: (item: T) => PickerOption;
  readonly selectedId: string | undefined;
  readonly onSelect: (item: T) => void;
  /** Shown when there is nothing to pick and no search text: what to do to get something. */
  readonly emptyText: ReactNode;
  /** When set, the picker is not available yet and says why (e.g. "Pick a dag first"). */
  readonly disabledText?: string | undefined;
  /** Items per page (50 by default). */
  readonly pageSize?: number;
}

/**
 * A labelled group with a search box and a list of choices (toggle buttons, `aria-pressed` on the chosen
 * one). Searching asks the server (debounced); "Show more" fetches the next page. Errors are shown in
 * words with a retry.
 *
 * @param props - see {@link SearchablePickerProps}.
 */
export function SearchablePicker<T>(props: SearchablePickerProps<T>) {
  const searchId = useId();
  const pageSize = props.pageSize ?? 50;
  const [search, setSearch] = useState("");
  const settled = useDebounced(search.trim());
  const [extra, setExtra] = useState<{ items: T[]; total: number } | undefined>(undefined);
  const [moreError, setMoreError] = useState<unknown>(undefined);
  const disabled = props.disabledText !== undefined;

  const [state, reload] = useAsync<Page<T> | undefined>(
    () => (disabled ? Promise.resolve(undefined) : props.load(settled, 0, pageSize)),
    [...props.deps, settled, disabled, pageSize],
    props.refreshKey,
  );
  useEffect(() => {
    setExtra(undefined);
    setMoreError(undefined);
  }, [state.data]);

  const first = state.data;
  const items = first ? [...first.items, ...(extra?.items ?? [])] : [];
  const total = extra?.total ?? first?.total ?? 0;

  const showMore = async () => {
    setMoreError(undefined);
    try {
      const page = await props.load(settled, items.length, pageSize);
      setExtra({ items: [...(extra?.items ?? []), ...page.items], total: page.total });
    } catch (error) {
      setMoreError(error);
    }
  };

  return (
    <fieldset className="picker" disabled={disabled}>
      <legend>{props.label}</legend>
      {disabled ? (
        <p className="muted">{props.disabledText}</p>
      ) : (
        <>
          <label className="visually-hidden" htmlFor={searchId}>
            Search {props.label.toLowerCase()}
          </label>
          <input
            id={searchId}
            type="search"
            placeholder={`Search ${props.label.toLowerCase()}…`}
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            autoComplete="off"
          />
          {state.status === "error" ? <ErrorMessage error={state.error} onRetry={reload} /> : null}
          {state.status === "loading" && !first ? (
            <p className="muted" aria-live="polite">
              Loading…
            </p>
          ) : null}
          {first && items.length === 0 ? (
            settled ? (
              <p className="muted">Nothing matches “{settled}”.</p>
            ) : (
              <EmptyState title={`No ${props.label.toLowerCase()} to pick.`}>{props.emptyText}</EmptyState>
            )
          ) : null}
          {items.length > 0 ? (
            <ul className="picker-list" aria-label={props.label}>
              {items.map((item) => {
                const option = props.toOption(item);
                const selected = option.id === props.selectedId;
                return (
                  <li key={option.id}>
                    <button
                      type="button"
                      className={selected ? "picker-option selected" : "picker-option"}
                      aria-pressed={selected}
                      onClick={() => props.onSelect(item)}
                    >
                      <span className="picker-option-label">{option.label}</span>
                      {option.detail !== undefined ? (
                        <span className="picker-option-detail">{option.detail}</span>
                      ) : null}
                    </button>
                  </li>
                );
              })}
            </ul>
          ) : null}
          {moreError !== undefined ? <ErrorMessage error={moreError} /> : null}
          {items.length > 0 && items.length < total ? (
            <p className="picker-more">
              <span className="muted">
                Showing {items.length} of {total}.
              </span>{" "}
              <button type="button" className="link-button" onClick={showMore}>
                Show more
              </button>
            </p>
          ) : null}
        </>
      )}
    </fieldset>
  );
}
