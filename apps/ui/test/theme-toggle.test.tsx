import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { ThemeToggle } from "../src/components/theme-toggle";
import { THEME_STORAGE_KEY } from "../src/theme/theme-preference";

type Listener = (event: MediaQueryListEvent) => void;

/** jsdom has no matchMedia: a prefers-color-scheme query the test can flip. */
function stubSystemScheme(dark: boolean) {
  const listeners = new Set<Listener>();
  const query = {
    matches: dark,
    addEventListener: (_: string, l: Listener) => listeners.add(l),
    removeEventListener: (_: string, l: Listener) => listeners.delete(l),
  };
  window.matchMedia = ((text: string) => {
    expect(text).toBe("(prefers-color-scheme: dark)");
    return query;
  }) as unknown as typeof window.matchMedia;
  return {
    flip(next: boolean) {
      query.matches = next;
      for (const l of listeners) l({ matches: next } as MediaQueryListEvent);
    },
  };
}

afterEach(() => {
  delete (window as { matchMedia?: unknown }).matchMedia;
});

describe("ThemeToggle", () => {
  it("follows the system scheme until pressed, then keeps the choice in localStorage", async () => {
    const system = stubSystemScheme(true);
    const user = userEvent.setup();
    const { unmount } = render(<ThemeToggle />);
    const toggle = screen.getByRole("button", { name: "Dark mode" });
    expect(toggle.getAttribute("aria-pressed")).toBe("true");
    expect(document.documentElement.dataset.theme).toBe("dark");

    system.flip(false);
    expect(await screen.findByRole("button", { name: "Dark mode", pressed: false })).toBeTruthy();
    expect(document.documentElement.dataset.theme).toBe("light");

    await user.click(toggle);
    expect(toggle.getAttribute("aria-pressed")).toBe("true");
    expect(document.documentElement.dataset.theme).toBe("dark");
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe("dark");

    // A stored choice wins over the system's on the next visit, and over its changes.
    unmount();
    render(<ThemeToggle />);
    system.flip(false);
    expect(screen.getByRole("button", { name: "Dark mode" }).getAttribute("aria-pressed")).toBe("true");
    await user.keyboard("{Tab}{Enter}");
    expect(document.documentElement.dataset.theme).toBe("light");
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe("light");
  });

  it("starts light without matchMedia and ignores a stored value it does not know", () => {
    localStorage.setItem(THEME_STORAGE_KEY, "sepia");
    render(<ThemeToggle />);
    expect(screen.getByRole("button", { name: "Dark mode" }).getAttribute("aria-pressed")).toBe("false");
    expect(document.documentElement.dataset.theme).toBe("light");
  });
});
