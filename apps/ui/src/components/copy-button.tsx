import { useEffect, useState } from "react";

/** How long "Copied" stays visible, in milliseconds. */
const STATUS_MS = 4000;

/** Props of {@link CopyButton}. */
export interface CopyButtonProps {
  /** What goes to the clipboard. */
  readonly text: string;
  /** The button's text, e.g. "Copy value". */
  readonly label: string;
}

/**
 * A button that copies `text` with `navigator.clipboard.writeText` and says so next to it ("Copied", or
 * why it could not), in a polite live region. Browsers allow the clipboard only on https or loopback.
 *
 * @param props - see {@link CopyButtonProps}.
 */
export function CopyButton(props: CopyButtonProps) {
  const [outcome, setOutcome] = useState<{ ok: boolean; at: number } | undefined>(undefined);

  useEffect(() => {
    if (!outcome) return;
    const timer = setTimeout(() => setOutcome(undefined), STATUS_MS);
    return () => clearTimeout(timer);
  }, [outcome]);

  const copy = async () => {
    try {
      if (!navigator.clipboard) throw new Error("no clipboard");
      await navigator.clipboard.writeText(props.text);
      setOutcome({ ok: true, at: Date.now() });
    } catch {
      setOutcome({ ok: false, at: Date.now() });
    }
  };

  return (
    <span className="copy">
      <button type="button" className="copy-button" onClick={copy}>
        {props.label}
      </button>
      <span className={outcome?.ok === false ? "copy-status copy-failed" : "copy-status"} role="status">
        {outcome === undefined
          ? ""
          : outcome.ok
            ? "Copied"
            : "Could not copy: this browser refused clipboard access here. Select the text and copy it instead."}
      </span>
    </span>
  );
}
