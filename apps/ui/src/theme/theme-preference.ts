/** A colour theme: the `data-theme` attribute on `<html>` that styles.css keys its colours on. */
export type Theme = "light" | "dark";

/** The localStorage key that keeps the operator's choice of theme. */
export const THEME_STORAGE_KEY = "tidemark.theme";

const DARK_QUERY = "(prefers-color-scheme: dark)";

/**
 * The theme the operator chose with the toggle, if any.
 *
 * @returns "light" or "dark", or undefined when nothing (or something else) is stored or storage is off.
 */
export function readStoredTheme(): Theme | undefined {
  try {
    const value = window.localStorage.getItem(THEME_STORAGE_KEY);
    return value === "light" || value === "dark" ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Keeps the operator's choice across visits (or forgets it with undefined, so the system's applies).
 *
 * @param theme - the choice.
 */
export function storeTheme(theme: Theme | undefined): void {
  try {
    if (theme === undefined) window.localStorage.removeItem(THEME_STORAGE_KEY);
    else window.localStorage.setItem(THEME_STORAGE_KEY, theme);
  } catch {
    // Storage disabled (private mode, policy): the choice lasts for this page only.
  }
}

/**
 * The system's colour scheme (`prefers-color-scheme`).
 *
 * @returns "dark" when the system prefers dark, else "light" (also when matchMedia is missing).
 */
export function systemTheme(): Theme {
  return typeof window.matchMedia === "function" && window.matchMedia(DARK_QUERY).matches ? "dark" : "light";
}

/**
 * Calls `onChange` whenever the system's colour scheme changes.
 *
 * @param onChange - receives the new system theme.
 * @returns a function that stops listening.
 */
export function watchSystemTheme(onChange: (theme: Theme) => void): () => void {
  if (typeof window.matchMedia !== "function") return () => {};
  const query = window.matchMedia(DARK_QUERY);
  const listener = (event: MediaQueryListEvent) => onChange(event.matches ? "dark" : "light");
  query.addEventListener("change", listener);
  return () => query.removeEventListener("change", listener);
}

/**
 * Shows a theme: sets `data-theme` on `<html>`, which selects the colour custom properties in styles.css.
 *
 * @param theme - the theme.
 */
export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
}
