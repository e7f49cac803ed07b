import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { openPage, type UiPage } from "./browser-page.js";
import { launchChromium } from "./chromium.js";
import { assertBuilt } from "./paths.js";
import { type SeededState, seedMetadata, seedState } from "./seed.js";
import {
  createWorkspace,
  type RunningApiServer,
  startApiServer,
  type TidemarkWorkspace,
} from "./tidemark-process.js";

/** What {@link useSeededUi} sets up once per test file; read its fields inside tests, not at import. */
export interface SeededUi {
  readonly ws: TidemarkWorkspace;
  readonly server: RunningApiServer;
  readonly browser: Browser;
  readonly seeded: SeededState;
  /** Opens a fresh page; after the test it is closed and must have raised no errors. */
  openPage(): Promise<UiPage>;
}

/**
 * Registers the file's hooks: a real `tidemark api-server` (api.auth = none on loopback) serving the
 * built UI, its SQLite state seeded by the tidemark CLI and the Core REST API, and Debian's Chromium.
 *
 * @returns the fixture, filled in by `beforeAll`.
 */
export function useSeededUi(): SeededUi {
  const fixture = { current: undefined as UiPage | undefined } as {
    ws: TidemarkWorkspace;
    server: RunningApiServer;
    browser: Browser;
    seeded: SeededState;
    current: UiPage | undefined;
  };

  beforeAll(async () => {
    assertBuilt();
    fixture.browser = await launchChromium();
    fixture.ws = await createWorkspace({ TIDEMARK__API__AUTH: "none" });
    await seedMetadata(fixture.ws);
    fixture.server = await startApiServer(fixture.ws);
    fixture.seeded = await seedState(fixture.server.url, fixture.ws);
  }, 180_000);

  afterEach(async () => {
    const errors = fixture.current?.errors ?? [];
    await fixture.current?.close();
    fixture.current = undefined;
    expect(errors, "the page raised errors").toEqual([]);
  });

  afterAll(async () => {
    await fixture.browser?.close();
    await fixture.server?.stop();
    await fixture.ws?.dispose();
  });

  return {
    get ws() {
      return fixture.ws;
    },
    get server() {
      return fixture.server;
    },
    get browser() {
      return fixture.browser;
    },
    get seeded() {
      return fixture.seeded;
    },
    async openPage() {
      fixture.current = await openPage(fixture.browser);
      return fixture.current;
    },
  };
}
