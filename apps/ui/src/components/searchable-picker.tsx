import { type DependencyList, type KeyboardEvent, type ReactNode, useEffect, useId, useState } from "react";
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
 * A labelled group with a search box (a combobox) and its list of choices (a listbox, `aria-selected` on
 * the chosen one). In the search box ArrowDown and ArrowUp move the active option
 * (`aria-activedescendant`), Enter picks it and Escape closes the list (ArrowDown or typing opens it
 * again); a click picks an option too. Searching asks the server (debounced); "Show more" fetches the
 * next page. Errors are shown in words with a retry.
 *
 * @param props - see {@link SearchablePickerProps}.
 */
export function SearchablePicker<T>(props: SearchablePickerProps<T>) {
  const searchId = useId();
  const listboxId = useId();
  const [expanded, setExpanded] = useState(true);
  const [active, setActive] = useState(-1);
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
    setActive(-1);
  }, [state.data]);

  const first = state.data;
  const items = first ? [...first.items, ...(extra?.items ?? [])] : [];
  const total = extra?.total ?? first?.total ?? 0;
  const options = items.map((item) => props.toOption(item));
  const optionId = (i: number) => `${listboxId}-option-${i}`;
  const open = expanded && items.length > 0;
  const selectedIndex = options.findIndex((option) => option.id === props.selectedId);

  useEffect(() => {
    if (!open || active < 0) return;
    // jsdom has no scrollIntoView; browsers keep the active option in the list's view.
    document.getElementById(optionId(active))?.scrollIntoView?.({ block: "nearest" });
  }, [open, active]);

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (items.length === 0) return;
      event.preventDefault();
      if (!open) {
        setExpanded(true);
        setActive(Math.max(selectedIndex, 0));
        return;
      }
      const from = active >= 0 ? active : selectedIndex;
      if (event.key === "ArrowDown") setActive(from < 0 ? 0 : Math.min(from + 1, items.length - 1));
      else setActive(from < 0 ? items.length - 1 : Math.max(from - 1, 0));
    } else if (event.key === "Enter") {
      const item = open && active >= 0 ? items[active] : undefined;
      if (item === undefined) return;
      event.preventDefault();
      props.onSelect(item);
    } else if (event.key === "Escape") {
      if (!open) return;
      event.preventDefault();
      setExpanded(false);
      setActive(-1);
    }
  };

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
            role="combobox"
            aria-expanded={open}
            aria-controls={listboxId}
            aria-autocomplete="list"
            aria-activedescendant={open && active >= 0 ? optionId(active) : undefined}
            placeholder={`Search ${props.label.toLowerCase()}…`}
            value={search}
            onChange={(event) => {
              setSearch(event.target.value);
              setExpanded(true);
              setActive(-1);
            }}
            onKeyDown={onKeyDown}
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
          {open ? (
            <div className="picker-list" id={listboxId} role="listbox" aria-label={props.label}>
              {options.map((option, i) => {
                const selected = option.id === props.selectedId;
                const item = items[i] as T;
                return (
                  // Keyboard users pick from the search box (aria-activedescendant); a click picks here.
                  // biome-ignore lint/a11y/useKeyWithClickEvents: the combobox above handles the keys
                  <div
                    key={option.id}
                    id={optionId(i)}
                    role="option"
                    tabIndex={-1}
                    aria-selected={selected}
                    className={`picker-option${selected ? " selected" : ""}${i === active ? " active" : ""}`}
                    onClick={() => {
                      setActive(i);
                      props.onSelect(item);
                    }}
                  >
                    <span className="picker-option-label">{option.label}</span>
                    {option.detail !== undefined ? (
                      <span className="picker-option-detail">{option.detail}</span>
                    ) : null}
                  </div>
                );
              })}
            </div>
          ) : null}
          {!open && items.length > 0 ? (
            <p className="picker-closed">
              {selectedIndex >= 0 ? (
                <span className="picker-option-label">{options[selectedIndex]?.label}</span>
              ) : (
                <span className="muted">List closed.</span>
              )}{" "}
              <button
                type="button"
                className="link-button"
                onClick={() => setExpanded(true)}
                aria-controls={listboxId}
              >
                Show list
              </button>
            </p>
          ) : null}
          {moreError !== undefined ? <ErrorMessage error={moreError} /> : null}
          {open && items.length < total ? (
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
