import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type { UiPage } from "./support/browser-page.js";
import { DAG, RUN } from "./support/seed.js";
import { useSeededUi } from "./support/seeded-ui.js";

// The task instance page of the built UI on a real `tidemark api-server` (api.auth = none on loopback,
// SQLite seeded by the CLI and the Core REST API), driven by Debian's Chromium: breadcrumb, JSON viewer
// with copy, the offloaded value's reference, and the dark mode toggle, with light and dark screenshots.

const fx = useSeededUi();
let ui: UiPage | undefined;

/** The task instance page's hash, as the UI's router writes it. */
const pageHash = (key?: string) =>
  `#/dags/${encodeURIComponent(DAG)}/runs/${encodeURIComponent(RUN)}/tasks/load/map-index/-1${
    key === undefined ? "" : `?key=${encodeURIComponent(key)}`
  }`;

async function open(hash: string, colorScheme: "light" | "dark" = "light"): Promise<Page> {
  ui = await fx.openPage();
  await ui.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: fx.server.url });
  await ui.page.emulateMedia({ colorScheme });
  await ui.page.goto(`${fx.server.url}/ui/${hash}`);
  return ui.page;
}

const backgroundOf = (page: Page) =>
  page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);

const POLL = { timeout: 30_000, interval: 100 };

describe("the task instance page in Chromium", () => {
  it("shows the breadcrumb, the JSON viewer with copy, and switches to dark mode for good", async () => {
    const page = await open(pageHash("watermark"));
    await page.getByRole("heading", { name: "Task instance", level: 1 }).waitFor();

    const crumbs = page.getByRole("navigation", { name: "Task instance" }).getByRole("link");
    await expect
      .poll(() => crumbs.allTextContents(), POLL)
      .toEqual([`Dag ${DAG}`, `Run ${RUN}`, "Task load", "Map index -1 (unmapped)"]);
    expect(await crumbs.nth(3).getAttribute("aria-current")).toBe("page");
    expect(await crumbs.nth(3).getAttribute("href")).toBe(pageHash());
    await expect.poll(() => page.getByTestId("ti-state").textContent(), POLL).toBe("queued");
    expect(await page.getByTestId("run-date").textContent()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);

    const detail = page.getByRole("region", { name: "Key watermark" });
    const json = detail.getByTestId("entry-value");
    await expect.poll(() => json.textContent(), POLL).toBe('{\n  "offset": 42\n}');
    expect(await json.locator(".json-key").allTextContents()).toEqual(['"offset"']);
    const numberColor = () => json.locator(".json-number").evaluate((el) => getComputedStyle(el).color);
    const lightNumber = await numberColor();

    await detail.getByRole("button", { name: "Copy value" }).click();
    await detail.locator(".json-viewer").getByRole("status").filter({ hasText: "Copied" }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('{\n  "offset": 42\n}');

    await detail.getByRole("button", { name: "Collapse value (1 key)" }).press("Enter");
    expect(await json.textContent()).toBe("{… 1 key}");
    await detail.getByRole("button", { name: "Expand value (1 key)" }).press("Enter");

    const toggle = page.getByRole("button", { name: "Dark mode" });
    expect(await toggle.getAttribute("aria-pressed")).toBe("false");
    expect(await backgroundOf(page)).toBe("rgb(247, 248, 250)");
    await ui!.shot("task-instance-light");

    await toggle.click();
    expect(await toggle.getAttribute("aria-pressed")).toBe("true");
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    await expect.poll(() => backgroundOf(page), POLL).toBe("rgb(15, 20, 25)");
    expect(await numberColor()).not.toBe(lightNumber);
    await ui!.shot("task-instance-dark");

    // The choice outlives a reload, though the system still says light.
    await page.reload();
    await page.getByRole("heading", { name: "Task instance", level: 1 }).waitFor();
    expect(await page.getByRole("button", { name: "Dark mode" }).getAttribute("aria-pressed")).toBe("true");
    expect(await backgroundOf(page)).toBe("rgb(15, 20, 25)");
  });

  it("keeps the breadcrumb in view while the page scrolls, each crumb leading back", async () => {
    const page = await open(pageHash("watermark"));
    await page.setViewportSize({ width: 1000, height: 420 });
    const header = page.locator(".ti-header");
    await page.getByRole("region", { name: "Key watermark" }).getByTestId("entry-value").waitFor();
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await expect.poll(() => page.evaluate(() => window.scrollY), POLL).toBeGreaterThan(100);
    const box = await header.boundingBox();
    expect(box?.y).toBeGreaterThanOrEqual(0);
    expect(box?.y).toBeLessThan(5);

    await page
      .getByRole("navigation", { name: "Task instance" })
      .getByRole("link", { name: "Task load" })
      .click();
    await page.getByRole("heading", { name: "Task state", level: 1 }).waitFor();
    expect(new URL(page.url()).hash).toBe(
      `#/tasks?dag_id=${DAG}&run_id=${encodeURIComponent(RUN)}&task_id=load`,
    );
  });

  it("follows the system's dark scheme and shows an offloaded value's reference with copy and no Edit", async () => {
    const page = await open(pageHash("big_blob"), "dark");
    expect(await page.getByRole("button", { name: "Dark mode" }).getAttribute("aria-pressed")).toBe("true");
    // The keyboard focus ring is the dark theme's --focus-ring.
    await page.getByRole("heading", { name: "Task instance", level: 1 }).waitFor();
    await page.keyboard.press("Tab");
    const ring = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      return { name: el.textContent, outline: getComputedStyle(el).outlineColor };
    });
    expect(ring).toEqual({ name: "Skip to content", outline: "rgb(255, 180, 84)" });
    const detail = page.getByRole("region", { name: "Key big_blob" });
    await expect
      .poll(() => detail.getByTestId("entry-reference").textContent(), POLL)
      .toBe(fx.seeded.blobRef);
    expect(await detail.getByRole("button", { name: "Edit" }).count()).toBe(0);
    expect(await detail.getByRole("button", { name: "Delete" }).count()).toBe(1);
    await detail.getByRole("button", { name: "Copy reference" }).click();
    await detail.locator(".reference-raw").getByRole("status").filter({ hasText: "Copied" }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(fx.seeded.blobRef);
    expect(await page.locator("body").textContent()).not.toContain("__airflow_state_ref__");
    await ui!.shot("task-instance-offloaded-dark");
  });
});
