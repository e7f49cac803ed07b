// Tests run code in the page (page.evaluate), where the DOM exists; src never sees these types because
// the build does not include test/.
/// <reference lib="dom" />
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { SCREENSHOT_DIR } from "./paths.js";

/** A page of a fresh browser context, with the errors the page raised. */
export interface UiPage {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Uncaught exceptions and console errors seen so far. */
  readonly errors: string[];
  /** Saves a full-page screenshot as packages/core/test-output/screenshots/<name>.png and returns its path. */
  shot(name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Opens a new context (1440×900, en-US, UTC, so screenshots read the same everywhere) and a page in it,
 * collecting page errors.
 *
 * @param browser - the launched Chromium.
 * @returns the page and helpers.
 */
export async function openPage(browser: Browser): Promise<UiPage> {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    locale: "en-US",
    timezoneId: "UTC",
  });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    // Failed requests the UI handles (401 while asking for a token, 409 on a stale edit) also log here.
    if (message.type() === "error" && !/Failed to load resource/.test(message.text())) {
      errors.push(`console: ${message.text()}`);
    }
  });
  return {
    page,
    context,
    errors,
    async shot(name) {
      await mkdir(SCREENSHOT_DIR, { recursive: true });
      const path = join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    close: () => context.close(),
  };
}
