import { cleanup, configure } from "@testing-library/react";
import { afterEach } from "vitest";

// findBy…/waitFor give up after 1 s by default, which the first render of a file misses when the whole suite
// runs on a loaded 2-core machine. They resolve as soon as the element appears, so a long ceiling costs a
// passing test nothing; the project's testTimeout stays above it so a real miss reports Testing Library's message.
configure({ asyncUtilTimeout: 30_000 });

// Unmount what each test rendered and forget tokens, themes and routes between tests.
afterEach(() => {
  cleanup();
  sessionStorage.clear();
  localStorage.clear();
  delete document.documentElement.dataset.theme;
  window.history.replaceState(null, "", "/ui/");
});
