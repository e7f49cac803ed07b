import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { createApiClient } from "../../src/api/api-client";
import { ApiProvider } from "../../src/api/api-context";
import type { UiConfig } from "../../src/api/wire-types";

/** The UI configuration the component tests run with unless told otherwise. */
export const TEST_CONFIG: UiConfig = {
  auth: "none",
  auth_tokens_configured: false,
  default_retention_days: 7,
  max_value_storage_bytes: 65536,
};

/**
 * Renders `ui` under an ApiProvider whose client uses `fetch` (a fixture fetch).
 *
 * @returns the render result and the client.
 */
export function renderWithApi(
  ui: ReactElement,
  fetch: typeof globalThis.fetch,
  config: UiConfig = TEST_CONFIG,
) {
  const client = createApiClient({ fetch });
  return { client, ...render(<ApiProvider value={{ client, config }}>{ui}</ApiProvider>) };
}
