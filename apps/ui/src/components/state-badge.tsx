/**
 * A run or task instance state ("success", "running", …) as a badge; null or absent reads "no state".
 *
 * @param props - `state` as the API sent it.
 */
export function StateBadge(props: { state: string | null | undefined }) {
  const state = props.state ?? undefined;
  if (state === undefined || state === "") return <span className="badge badge-state">no state</span>;
  const tone = /^[a-z_]+$/.test(state) ? ` badge-state-${state}` : "";
  return <span className={`badge badge-state${tone}`}>{state}</span>;
}
