import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { isApiError, isPreconditionFailed } from "../api/api-error";
import { describeApiError, type ErrorContext, formatBytes } from "../api/describe-api-error";
import type { AssetStateEntry, JsonValue, StateEntry } from "../api/wire-types";
import { localInputToIso, toLocalInput } from "../format/format-time";
import { formatValue, parseValueText, valueByteLength } from "../format/value-text";
import type { ExpiryChoice } from "../state/expiry-choice";
import type { StateCollection } from "../state/state-collection";
import { ExpiryPicker, type ExpiryPickerValue } from "./expiry-picker";
import { ReferenceExplanation } from "./reference-explanation";

/** Props of {@link EntryEditor}. */
export interface EntryEditorProps {
  readonly collection: StateCollection;
  /** The entry to edit, as it was when the editor opened; undefined to add a new key. */
  readonly entry?: StateEntry | AssetStateEntry | undefined;
  readonly defaultRetentionDays: number;
  readonly maxValueBytes: number;
  /** Called with the stored entry after a successful save. */
  readonly onSaved: (entry: StateEntry | AssetStateEntry) => void;
  /** Closes the editor without saving. */
  readonly onCancel: () => void;
  /** Reference instant for "is this date in the future", ms since the epoch (Date.now() by default). */
  readonly now?: () => number;
}

type Problem =
  | { readonly kind: "input"; readonly message: string }
  | { readonly kind: "api"; readonly error: unknown; readonly context: ErrorContext }
  | { readonly kind: "conflict"; readonly message: string; readonly latest: StateEntry | undefined };

/**
 * Adds a key or edits one. Editing remembers the version it opened and sends it as `If-Match`, so a
 * value changed (or deleted) by someone else in the meantime is refused with 412 and shown as a conflict
 * ("version 3 → 4") with a way to reload — never silently overwritten. Adding sends `If-None-Match: *`,
 * so the server refuses a key that already exists in the same atomic write (no check-then-write race).
 * Task state offers an expiry choice; an offloaded value (reference envelope) is refused with an
 * explanation. Errors are shown in words.
 *
 * @param props - see {@link EntryEditorProps}.
 */
export function EntryEditor(props: EntryEditorProps) {
  const { collection } = props;
  const now = props.now ?? Date.now;
  const keyId = useId();
  const valueId = useId();
  const hintId = useId();
  const [opened, setOpened] = useState(props.entry);
  const adding = opened === undefined;
  const [keyText, setKeyText] = useState("");
  const [valueText, setValueText] = useState(opened ? formatValue(opened.value) : "");
  const [expiry, setExpiry] = useState<ExpiryPickerValue>({
    mode: adding ? "default" : "keep",
    local: toLocalInput(now() + 24 * 3600 * 1000),
  });
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [unsavedText, setUnsavedText] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const firstField = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  // The Edit/Add button that opened the editor is gone: move focus into the form.
  useEffect(() => firstField.current?.focus(), []);

  if (opened?.is_reference) {
    return (
      <section className="panel" aria-labelledby="editor-title">
        <h2 id="editor-title">
          Editing <code>{opened.key}</code> is not possible
        </h2>
        <ReferenceExplanation stateRef={opened.ref ?? ""} />
        <div className="actions">
          <button type="button" onClick={props.onCancel}>
            Close
          </button>
        </div>
      </section>
    );
  }

  const parsed = parseValueText(valueText);
  const size = parsed.ok ? valueByteLength(parsed.value) : undefined;
  const key = adding ? keyText : opened.key;

  const expiryChoice = (): ExpiryChoice | string => {
    if (collection.kind === "asset") return { mode: adding ? "default" : "keep" };
    switch (expiry.mode) {
      case "keep":
        return { mode: "keep" };
      case "default":
        return { mode: "default" };
      case "never":
        return { mode: "never" };
      case "at": {
        const iso = localInputToIso(expiry.local);
        if (iso === undefined) return "Enter the expiry date and time, or choose another expiry.";
        if (Date.parse(iso) <= now()) {
          return "Pick an expiry in the future: a key whose expiry has passed is gone at once.";
        }
        return { mode: "at", iso };
      }
    }
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(undefined);
    if (adding && key.trim() === "") {
      setProblem({
        kind: "input",
        message: "Enter a key, for example “watermark” or “offsets/partition-0”.",
      });
      return;
    }
    if (!parsed.ok) {
      setProblem({ kind: "input", message: parsed.message });
      return;
    }
    const choice = expiryChoice();
    if (typeof choice === "string") {
      setProblem({ kind: "input", message: choice });
      return;
    }
    const context: ErrorContext = {
      key,
      scope: collection.scopeText,
      maxValueBytes: props.maxValueBytes,
      ...(size !== undefined ? { valueBytes: size } : {}),
    };
    setBusy(true);
    try {
      const saved = await collection.write(key, {
        value: parsed.value as JsonValue,
        expiry: choice,
        ...(adding ? { ifAbsent: true } : { ifVersion: opened.version }),
      });
      props.onSaved(saved);
    } catch (error) {
      if (isPreconditionFailed(error) && adding) {
        const version = error.currentVersion !== undefined ? ` (version ${error.currentVersion})` : "";
        setProblem({
          kind: "input",
          message: `A key named “${key}” already exists here${version}. Close this form and edit that key instead.`,
        });
      } else if (isPreconditionFailed(error) && opened) {
        const latest = await findExisting(collection, key).catch(() => undefined);
        setProblem({
          kind: "conflict",
          latest,
          message: describeApiError(error, {
            ...context,
            openedVersion: opened.version,
            currentVersion: latest ? latest.version : null,
          }),
        });
      } else {
        setProblem({ kind: "api", error, context });
      }
    } finally {
      setBusy(false);
    }
  };

  const reloadLatest = () => {
    if (problem?.kind !== "conflict") return;
    if (!problem.latest) {
      props.onCancel();
      return;
    }
    setUnsavedText(valueText);
    setOpened(problem.latest);
    setValueText(problem.latest.is_reference ? "" : formatValue(problem.latest.value));
    setProblem(undefined);
  };

  return (
    <section className="panel" aria-labelledby="editor-title">
      <h2 id="editor-title">
        {adding ? (
          "Add a key"
        ) : (
          <>
            Edit <code>{opened.key}</code> <span className="muted">(version {opened.version})</span>
          </>
        )}
      </h2>
      <p className="muted">In {collection.scopeText}.</p>
      <form onSubmit={save} noValidate>
        {adding ? (
          <div className="field">
            <label htmlFor={keyId}>Key</label>
            <input
              id={keyId}
              ref={firstField}
              type="text"
              value={keyText}
              onChange={(event) => setKeyText(event.target.value)}
              maxLength={512}
              autoComplete="off"
              required
            />
          </div>
        ) : null}
        <div className="field">
          <label htmlFor={valueId}>Value (JSON)</label>
          <textarea
            id={valueId}
            ref={adding ? undefined : firstField}
            value={valueText}
            onChange={(event) => setValueText(event.target.value)}
            rows={10}
            spellCheck={false}
            aria-describedby={hintId}
          />
          <p id={hintId} className="muted field-hint">
            {size !== undefined
              ? `${formatBytes(size)} of at most ${formatBytes(props.maxValueBytes)}.`
              : 'JSON: "text" in double quotes, numbers, true/false, [lists] or {"objects": 1}.'}
            {size !== undefined && size > props.maxValueBytes ? " This value is too large to store." : ""}
          </p>
        </div>
        {collection.kind === "task" ? (
          <ExpiryPicker
            value={expiry}
            onChange={setExpiry}
            allowKeep={!adding}
            currentExpiresAt={opened?.expires_at}
            defaultRetentionDays={props.defaultRetentionDays}
          />
        ) : null}
        {problem?.kind === "input" ? (
          <div className="message message-error" role="alert">
            <p>{problem.message}</p>
          </div>
        ) : null}
        {problem?.kind === "api" ? (
          <div className="message message-error" role="alert">
            <p>{describeApiError(problem.error, problem.context)}</p>
          </div>
        ) : null}
        {problem?.kind === "conflict" ? (
          <div className="message message-conflict" role="alert">
            <p>{problem.message}</p>
            <p>Your change was not saved.</p>
            <button type="button" onClick={reloadLatest}>
              {problem.latest ? `Reload version ${problem.latest.version}` : "Close and reload"}
            </button>
          </div>
        ) : null}
        {unsavedText !== undefined ? (
          <details className="unsaved">
            <summary>Your unsaved text (not stored)</summary>
            <pre>{unsavedText}</pre>
          </details>
        ) : null}
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Saving…" : adding ? "Save new key" : "Save"}
          </button>
          <button type="button" onClick={props.onCancel} disabled={busy}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}

async function findExisting(collection: StateCollection, key: string): Promise<StateEntry | undefined> {
  try {
    return await collection.get(key);
  } catch (error) {
    if (isApiError(error) && error.status === 404) return undefined;
    throw error;
  }
}
