import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPage } from "./support/browser-page.js";
import { launchChromium } from "./support/chromium.js";
import { assertBuilt } from "./support/paths.js";
import { DAG, seedMetadata } from "./support/seed.js";
import {
  createWorkspace,
  type RunningApiServer,
  startApiServer,
  type TidemarkWorkspace,
} from "./support/tidemark-process.js";

// A real api-server with api.auth = token: the UI asks for the token once, keeps it in sessionStorage,
// and asks again when the server answers 401.

const TOKEN = "e2e-token-7c1f";
/** Where the UI keeps the accepted token for the tab (visible in the browser's storage inspector). */
const TOKEN_STORAGE_KEY = "tidemark.api_token";
let ws: TidemarkWorkspace;
let server: RunningApiServer;
let browser: Browser;

beforeAll(async () => {
  assertBuilt();
  browser = await launchChromium();
  ws = await createWorkspace({ TIDEMARK__API__AUTH: "token", TIDEMARK__API__AUTH_TOKENS: TOKEN });
  await seedMetadata(ws);
  server = await startApiServer(ws);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await ws?.dispose();
});

describe("api.auth = token in Chromium", () => {
  it("asks for a token, re-asks on 401, then keeps the accepted one for the tab", async () => {
    const unauthenticated = await fetch(`${server.url}/api/v2/dags`);
    expect(unauthenticated.status).toBe(401);

    const ui = await openPage(browser);
    try {
      const page = ui.page;
      await page.goto(`${server.url}/ui/`);
      await page.getByRole("heading", { name: "Sign in to Tidemark" }).waitFor();
      await ui.shot("token-prompt");

      await page.getByLabel("API token").fill("wrong-token");
      await page.getByRole("button", { name: "Continue" }).click();
      await page.getByRole("alert").filter({ hasText: "did not accept the token (401)" }).waitFor();
      await ui.shot("token-rejected");

      await page.getByLabel("API token").fill(TOKEN);
      await page.getByRole("button", { name: "Continue" }).click();
      await page.getByRole("option", { name: new RegExp(`^${DAG}`) }).waitFor();
      expect(await page.evaluate((k) => sessionStorage.getItem(k), TOKEN_STORAGE_KEY)).toBe(TOKEN);

      await page.reload();
      await page.getByRole("option", { name: new RegExp(`^${DAG}`) }).waitFor();
      expect(await page.getByRole("heading", { name: "Sign in to Tidemark" }).count()).toBe(0);
      expect(ui.errors).toEqual([]);
    } finally {
      await ui.close();
    }
  });
});
