import type { ReactNode } from "react";

/** One step of a {@link Breadcrumb}. */
export interface Crumb {
  /** What the step is, e.g. "Dag"; shown small before the value. */
  readonly kind: string;
  /** The step's value, e.g. the dag id. */
  readonly label: ReactNode;
  /** Where the step leads (a hash route). */
  readonly href: string;
}

/**
 * A trail of links, the last one marked `aria-current="page"`, in a `<nav>` landmark.
 *
 * @param props - `label` (the landmark's name) and `crumbs`, outermost first.
 */
export function Breadcrumb(props: { label: string; crumbs: readonly Crumb[] }) {
  return (
    <nav className="breadcrumb" aria-label={props.label}>
      <ol>
        {props.crumbs.map((crumb, i) => (
          <li key={crumb.kind}>
            <a
              className="breadcrumb-link"
              href={crumb.href}
              aria-current={i === props.crumbs.length - 1 ? "page" : undefined}
            >
              <span className="breadcrumb-kind">{crumb.kind}</span>{" "}
              <span className="breadcrumb-label">{crumb.label}</span>
            </a>
          </li>
        ))}
      </ol>
    </nav>
  );
}
