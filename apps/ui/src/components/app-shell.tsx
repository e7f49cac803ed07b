import type { ReactNode } from "react";
import { formatRoute, type Route } from "../routing/route";
import { ThemeToggle } from "./theme-toggle";

/** Props of {@link AppShell}. */
export interface AppShellProps {
  readonly page: Route["page"];
  /** Shown when a token is in use: forgets it and asks again. */
  readonly onSignOut?: (() => void) | undefined;
  readonly children: ReactNode;
}

/**
 * The frame of every page: a skip link, the product name, navigation between task state and asset
 * state (the current page marked with aria-current), the dark mode toggle, and the page itself in `<main>`.
 *
 * @param props - see {@link AppShellProps}.
 */
export function AppShell(props: AppShellProps) {
  return (
    <>
      <button type="button" className="skip-link" onClick={skipToMain}>
        Skip to content
      </button>
      <header className="app-header">
        <span className="brand">Tidemark</span>
        <nav aria-label="Pages">
          <a href={formatRoute({ page: "tasks" })} aria-current={props.page === "tasks" ? "page" : undefined}>
            Task state
          </a>
          <a
            href={formatRoute({ page: "assets" })}
            aria-current={props.page === "assets" ? "page" : undefined}
          >
            Asset state
          </a>
        </nav>
        <div className="header-actions">
          <ThemeToggle />
          {props.onSignOut ? (
            <button type="button" className="link-button sign-out" onClick={props.onSignOut}>
              Forget token
            </button>
          ) : null}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {props.children}
      </main>
    </>
  );
}

function skipToMain() {
  // The hash holds the route, so skipping moves focus instead of following a "#main" link.
  document.getElementById("main")?.focus();
}
