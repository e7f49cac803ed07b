/**
 * Marks an offloaded value: the state store holds only a reference (the envelope
 * `{"__airflow_state_ref__": ref}`), the value itself lives in object storage. Shows the reference, never
 * the envelope as if it were the value (reference: PR "Decorate custom state refs with an envelope for
 * UI clarity").
 *
 * @param props - `stateRef`, the reference (an s3://, gs://, file:// … URL).
 */
export function ReferenceBadge(props: { stateRef: string }) {
  return (
    <span className="reference">
      <span className="badge badge-external">Stored externally</span>{" "}
      <code className="reference-ref" title={props.stateRef}>
        {props.stateRef}
      </code>
    </span>
  );
}
