import { useEffect, useLayoutEffect, useState } from "react";
import {
  applyTheme,
  readStoredTheme,
  storeTheme,
  systemTheme,
  type Theme,
  watchSystemTheme,
} from "../theme/theme-preference";

/**
 * The "Dark mode" toggle button (`aria-pressed`). Until the operator presses it the system's
 * `prefers-color-scheme` applies (and is followed when it changes); a press is kept in localStorage.
 * Sets `data-theme` on `<html>`.
 */
export function ThemeToggle() {
  const [chosen, setChosen] = useState<Theme | undefined>(() => readStoredTheme());
  const [system, setSystem] = useState<Theme>(() => systemTheme());
  const theme = chosen ?? system;

  useEffect(() => watchSystemTheme(setSystem), []);
  // In the commit, before the browser paints: the page never shows the old theme with the new button.
  useLayoutEffect(() => applyTheme(theme), [theme]);

  return (
    <button
      type="button"
      className="theme-toggle"
      aria-pressed={theme === "dark"}
      title={chosen === undefined ? "Following the system's colour scheme" : undefined}
      onClick={() => {
        const next: Theme = theme === "dark" ? "light" : "dark";
        storeTheme(next);
        setChosen(next);
      }}
    >
      Dark mode
    </button>
  );
}
