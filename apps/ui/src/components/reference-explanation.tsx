/**
 * Why an offloaded value cannot be edited here: the value lives in object storage and belongs to the
 * worker backend that wrote it; the state store holds only the reference.
 *
 * @param props - `stateRef`, the reference.
 */
export function ReferenceExplanation(props: { stateRef: string }) {
  return (
    <div className="message message-info">
      <p>
        This value is stored externally, at <code>{props.stateRef}</code>. The state store holds only this
        reference; the value itself lives in object storage and is owned by the worker backend that wrote it (
        <code>[workers] state_store_backend</code>), so it cannot be viewed or edited here: a value written
        here would replace the reference and leave the stored object orphaned.
      </p>
      <p>
        You can delete the entry. Deleting removes the reference from the state store; whether the stored
        object is removed as well is up to the backend's cleanup.
      </p>
    </div>
  );
}
