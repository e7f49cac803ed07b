import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";

// Unmount what each test rendered and forget tokens and routes between tests.
afterEach(() => {
  cleanup();
  sessionStorage.clear();
  window.history.replaceState(null, "", "/ui/");
});
