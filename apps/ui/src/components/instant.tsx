import { formatRelative, formatUtc, formatZoned } from "../format/format-time";

/**
 * An instant shown in the local zone with its zone name and UTC beside it
 * ("2026-12-01 15:04:05 CET (14:04:05 UTC)") and relative ("in 3 days"); the UTC value is also in the
 * tooltip and in the `<time datetime>` attribute.
 *
 * @param props - `iso` (ISO-8601, or null for `nullText`), `nullText` ("Never" by default), `now`
 *   (ms since the epoch, for the relative part).
 */
export function Instant(props: { iso: string | null; nullText?: string; now?: number }) {
  if (props.iso === null) return <span className="instant instant-never">{props.nullText ?? "Never"}</span>;
  return (
    <time className="instant" dateTime={props.iso} title={formatUtc(props.iso)}>
      <span className="instant-local">{formatZoned(props.iso)}</span>{" "}
      <span className="instant-relative">{`(${formatRelative(props.iso, props.now)})`}</span>
    </time>
  );
}
