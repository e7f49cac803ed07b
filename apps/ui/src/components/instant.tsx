import { formatLocal, formatRelative } from "../format/format-time";

/**
 * An instant shown as local date-time and relative ("in 3 days"), with the UTC value in the tooltip
 * and in the `<time datetime>` attribute.
 *
 * @param props - `iso` (ISO-8601, or null for `nullText`), `nullText` ("Never" by default), `now`.
 */
export function Instant(props: { iso: string | null; nullText?: string; now?: number }) {
  if (props.iso === null) return <span className="instant instant-never">{props.nullText ?? "Never"}</span>;
  return (
    <time className="instant" dateTime={props.iso} title={`${props.iso} (UTC)`}>
      <span className="instant-local">{formatLocal(props.iso)}</span>{" "}
      <span className="instant-relative">{`(${formatRelative(props.iso, props.now)})`}</span>
    </time>
  );
}
