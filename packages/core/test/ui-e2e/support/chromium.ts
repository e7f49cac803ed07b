import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Where Debian's Chromium lives; `TIDEMARK_TEST_CHROMIUM` overrides it. */
export const CHROMIUM_PATH = process.env.TIDEMARK_TEST_CHROMIUM ?? "/usr/bin/chromium";

/**
 * Launches the system Chromium headless through playwright-core (which never downloads a browser).
 * Fails with the install command when Chromium is missing: the e2e tests are never skipped silently
 * (.ci/run installs Chromium itself).
 *
 * @returns the browser; close it in afterAll.
 * @throws Error naming the path and how to install Chromium.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `The UI end-to-end tests need Chromium at ${CHROMIUM_PATH}, which does not exist. ` +
        "Install it with `apt-get update && apt-get install -y chromium` (Debian/Ubuntu), " +
        "or point TIDEMARK_TEST_CHROMIUM at a Chromium or Chrome binary.",
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}
