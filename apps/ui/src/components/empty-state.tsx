import type { ReactNode } from "react";

/**
 * An empty list that says what to do next.
 *
 * @param props - `title` (what is empty) and `children` (the next step).
 */
export function EmptyState(props: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <p className="empty-state-title">{props.title}</p>
      {props.children ? <div className="empty-state-hint">{props.children}</div> : null}
    </div>
  );
}
