import { useId } from "react";
import { Instant } from "./instant";

/** The picker's state: the chosen mode and the text of the date-time input. */
export interface ExpiryPickerValue {
  readonly mode: "keep" | "default" | "never" | "at";
  /** The `<input type="datetime-local">` value, local time ("2026-03-04T14:05"). */
  readonly local: string;
}

/** Props of {@link ExpiryPicker}. */
export interface ExpiryPickerProps {
  readonly value: ExpiryPickerValue;
  readonly onChange: (value: ExpiryPickerValue) => void;
  /** Offer "keep the current expiry" (editing an existing key). */
  readonly allowKeep: boolean;
  /** The key's current expiry when editing (null = never). */
  readonly currentExpiresAt?: string | null | undefined;
  /** `state_store.default_retention_days` (0 = the default never expires). */
  readonly defaultRetentionDays: number;
}

/**
 * Chooses when a task state key expires: keep the current expiry (editing), the server's default
 * retention, a custom local date and time, or never.
 *
 * @param props - see {@link ExpiryPickerProps}.
 */
export function ExpiryPicker(props: ExpiryPickerProps) {
  const name = useId();
  const dateId = useId();
  const { value, onChange } = props;
  const choose = (mode: ExpiryPickerValue["mode"]) => onChange({ ...value, mode });
  const retention =
    props.defaultRetentionDays > 0
      ? `${props.defaultRetentionDays} day${props.defaultRetentionDays === 1 ? "" : "s"} from now`
      : "never expires (default_retention_days is 0)";
  return (
    <fieldset className="expiry-picker">
      <legend>Expiry</legend>
      {props.allowKeep ? (
        <label className="radio">
          <input type="radio" name={name} checked={value.mode === "keep"} onChange={() => choose("keep")} />
          <span>
            Keep the current expiry: <Instant iso={props.currentExpiresAt ?? null} nullText="never" />
          </span>
        </label>
      ) : null}
      <label className="radio">
        <input
          type="radio"
          name={name}
          checked={value.mode === "default"}
          onChange={() => choose("default")}
        />
        Default retention: {retention}
      </label>
      <label className="radio">
        <input type="radio" name={name} checked={value.mode === "at"} onChange={() => choose("at")} />
        <span>At a date and time</span>
      </label>
      {value.mode === "at" ? (
        <div className="indent">
          <label htmlFor={dateId}>Expires at (your local time)</label>
          <input
            id={dateId}
            type="datetime-local"
            value={value.local}
            onChange={(event) => onChange({ mode: "at", local: event.target.value })}
          />
        </div>
      ) : null}
      <label className="radio">
        <input type="radio" name={name} checked={value.mode === "never"} onChange={() => choose("never")} />
        <span>Never expire</span>
      </label>
    </fieldset>
  );
}
