import { type ReactNode, useEffect, useId, useRef, useState } from "react";
import { ErrorMessage } from "./error-message";

/** Props of {@link ConfirmDialog}. */
export interface ConfirmDialogProps {
  /** The question, e.g. "Clear task state?". */
  readonly title: string;
  /** What will happen, naming everything that will go. */
  readonly children: ReactNode;
  /** The confirm button's words, e.g. "Clear 3 keys". */
  readonly confirmLabel: string;
  /** Runs the action; a rejection is shown in words inside the dialog, which then stays open. */
  readonly onConfirm: () => Promise<void>;
  /** Closes the dialog without doing anything (also Escape). */
  readonly onCancel: () => void;
  /** Context for the words of an error. */
  readonly errorContext?: Parameters<typeof ErrorMessage>[0]["context"];
}

/**
 * A modal confirmation for destructive actions (delete, clear). Focus starts on "Cancel", Escape
 * cancels, focus returns to where it was on close, and the action's failure is shown in words.
 *
 * @param props - see {@link ConfirmDialogProps}.
 */
export function ConfirmDialog(props: ConfirmDialogProps) {
  const titleId = useId();
  const bodyId = useId();
  const cancelRef = useRef<HTMLButtonElement>(null);
  const dialogRef = useRef<HTMLDivElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const { onCancel } = props;

  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    cancelRef.current?.focus();
    return () => previous?.focus?.();
  }, []);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") onCancel();
      if (event.key === "Tab") keepFocusInside(dialogRef.current, event);
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [onCancel]);

  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await props.onConfirm();
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };

  return (
    <div className="dialog-backdrop">
      <div
        ref={dialogRef}
        className="dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={bodyId}
      >
        <h2 id={titleId}>{props.title}</h2>
        <div id={bodyId} className="dialog-body">
          {props.children}
        </div>
        {error !== undefined ? (
          <ErrorMessage error={error} {...(props.errorContext ? { context: props.errorContext } : {})} />
        ) : null}
        <div className="dialog-actions">
          <button type="button" ref={cancelRef} onClick={props.onCancel} disabled={busy}>
            Cancel
          </button>
          <button type="button" className="danger" onClick={confirm} disabled={busy}>
            {busy ? "Working…" : props.confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}

/** Tab and Shift+Tab cycle through the dialog's controls instead of leaving it (it is modal). */
function keepFocusInside(dialog: HTMLElement | null, event: KeyboardEvent): void {
  if (!dialog) return;
  const focusable = [
    ...dialog.querySelectorAll<HTMLElement>("button, input, textarea, select, [href]"),
  ].filter((el) => !(el as HTMLButtonElement).disabled);
  const first = focusable[0];
  const last = focusable.at(-1);
  if (!first || !last) return;
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  } else if (!dialog.contains(document.activeElement)) {
    event.preventDefault();
    first.focus();
  }
}
