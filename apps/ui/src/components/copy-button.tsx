import { useEffect, useState } from "react";

/** Props of {@link CopyButton}. */
export interface CopyButtonProps {
  /** What goes to the clipboard. */
  readonly text: string;
  /** The button's text, e.g. "Copy value". */
  readonly label: string;
}

/**
 * A button that copies `text` with `navigator.clipboard.writeText` and says so next to it ("Copied", or
 * why it could not), in a polite live region, until the text changes. Browsers allow the clipboard only
 * on https or loopback.
 *
 * @param props - see {@link CopyButtonProps}.
 */
export function CopyButton(props: CopyButtonProps) {
  const [outcome, setOutcome] = useState<"copied" | "failed" | undefined>(undefined);

  // The status speaks of what was copied: once the text changes it no longer applies.
  useEffect(() => setOutcome(undefined), [props.text]);

  const copy = async () => {
    try {
      if (!navigator.clipboard) throw new Error("no clipboard");
      await navigator.clipboard.writeText(props.text);
      setOutcome("copied");
    } catch {
      setOutcome("failed");
    }
  };

  return (
    <span className="copy">
      <button type="button" className="copy-button" onClick={copy}>
        {props.label}
      </button>
      <span className={outcome === "failed" ? "copy-status copy-failed" : "copy-status"} role="status">
        {outcome === undefined
          ? ""
          : outcome === "copied"
            ? "Copied"
            : "Could not copy: this browser refused clipboard access here. Select the text and copy it instead."}
      </span>
    </span>
  );
}
