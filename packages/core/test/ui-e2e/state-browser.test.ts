import { describe, expect, it } from "vitest";
import type { UiPage } from "./support/browser-page.js";
import { DAG, extract, LOAD, RUN, SLASH_KEY } from "./support/seed.js";
import { useSeededUi } from "./support/seeded-ui.js";

// A real `tidemark api-server` (api.auth = none on loopback) with SQLite state seeded by the tidemark
// CLI and the Core REST API, serving the built UI; Debian's Chromium drives it.

const fx = useSeededUi();
let ui: UiPage | undefined;

/**
 * The UI's address of a task instance's state, as a user sees it in the location bar:
 * `#/tasks?dag_id=…&run_id=…&task_id=…&map_index=…[&key=…]`.
 */
const taskHash = (ti: typeof LOAD, key?: string) => {
  const params = new URLSearchParams({
    dag_id: ti.dagId,
    run_id: ti.runId,
    task_id: ti.taskId,
    map_index: String(ti.mapIndex),
  });
  if (key !== undefined) params.set("key", key);
  return `#/tasks?${params}`;
};

async function open(hash = "") {
  ui = await fx.openPage();
  await ui.page.goto(`${fx.server.url}/ui/${hash}`);
  return ui.page;
}

describe("task state in Chromium", () => {
  it("browses from / to a key with the pickers, edits it and shows the new version", async () => {
    ui = await fx.openPage();
    const page = ui.page;
    await page.goto(`${fx.server.url}/`);
    await page.waitForURL(/\/ui\/$/);

    // Each picker is a search box over a listbox of options.
    await page.getByRole("option", { name: new RegExp(`^${DAG}`) }).click();
    await page.getByRole("option", { name: new RegExp(`^${RUN}`) }).click();
    await page.getByRole("option", { name: /^load/ }).click();
    const table = page.getByRole("table", { name: /State keys of dag “etl_daily”/ });
    await table.getByRole("button", { name: "watermark" }).click();
    expect(new URL(page.url()).hash).toBe(taskHash(LOAD, "watermark"));

    const detail = page.getByRole("region", { name: "Key watermark" });
    await expect.poll(() => detail.getByTestId("entry-version").textContent()).toBe("1");
    expect(await detail.getByTestId("entry-value").textContent()).toBe('{\n  "offset": 42\n}');
    // Default retention is 30 days: local time and "in 4 weeks" / "next month".
    expect(await detail.locator("time").nth(1).textContent()).toMatch(/\(in 4 weeks|next month\)/);
    await ui.shot("task-state");

    await detail.getByRole("button", { name: "Edit" }).click();
    await page.getByLabel("Value (JSON)").fill('{"offset": 43, "note": "edited in the UI"}');
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("status").filter({ hasText: "Saved “watermark” (version 2)." }).waitFor();
    await expect.poll(() => detail.getByTestId("entry-version").textContent()).toBe("2");
    expect(await table.getByRole("row", { name: /watermark/ }).textContent()).toContain('"edited in the UI"');
    await ui.shot("task-state-edited");

    const stored = await fx.seeded.client.getTaskState(LOAD, "watermark");
    expect(stored).toMatchObject({ version: 2, value: { offset: 43, note: "edited in the UI" } });

    // Everything picked is in the URL: a reload lands on the same key.
    await page.reload();
    await expect
      .poll(() =>
        page.getByRole("region", { name: "Key watermark" }).getByTestId("entry-version").textContent(),
      )
      .toBe("2");
  });

  it("shows an offloaded value as 'Stored externally' with its ref and offers no Edit", async () => {
    const page = await open(taskHash(LOAD, "big_blob"));
    const detail = page.getByRole("region", { name: "Key big_blob" });
    await detail.getByText("Stored externally", { exact: true }).waitFor();
    expect(await detail.textContent()).toContain(fx.seeded.blobRef);
    // The key list loads on its own request, so it may render after the detail.
    const row = page.getByRole("table", { name: /State keys/ }).getByRole("row", { name: /big_blob/ });
    await expect.poll(() => row.getByText("Stored externally", { exact: true }).count()).toBe(1);
    expect(await page.locator("body").textContent()).not.toContain("__airflow_state_ref__");
    await ui!.shot("offloaded-value");

    // No Edit: a value written here would replace the reference and orphan the stored object.
    await detail.getByText(/cannot be viewed or edited here/).waitFor();
    expect(await detail.getByRole("button", { name: "Edit" }).count()).toBe(0);
    expect(await page.getByLabel("Value (JSON)").count()).toBe(0);
  });

  it("refuses a stale edit with 412 (If-Match) and offers to reload the new value", async () => {
    const page = await open(taskHash(LOAD, "job_id"));
    const detail = page.getByRole("region", { name: "Key job_id" });
    await expect.poll(() => detail.getByTestId("entry-version").textContent()).toBe("1");
    await detail.getByRole("button", { name: "Edit" }).click();
    await page.getByLabel("Value (JSON)").fill('"from the UI"');

    // Someone else writes the key while the editor is open.
    await fx.seeded.client.patchTaskState(LOAD, "job_id", { value: "from elsewhere" });

    await page.getByRole("button", { name: "Save" }).click();
    const alert = page.getByRole("alert").filter({ hasText: "changed since you opened it" });
    expect(await alert.textContent()).toContain(
      "This value changed since you opened it (version 1 → 2). Reload to see the new value.",
    );
    await ui!.shot("stale-edit-conflict");
    expect(await fx.seeded.client.getTaskState(LOAD, "job_id")).toMatchObject({
      version: 2,
      value: "from elsewhere",
    });

    await page.getByRole("button", { name: "Reload version 2" }).click();
    expect(await page.getByLabel("Value (JSON)").inputValue()).toBe('"from elsewhere"');
  });

  it("opens and edits a key holding / space and % from a link", async () => {
    const page = await open(taskHash(LOAD, SLASH_KEY));
    const detail = page.getByRole("region", { name: `Key ${SLASH_KEY}` });
    await expect.poll(() => detail.getByTestId("entry-version").textContent()).toBe("1");
    await detail.getByRole("button", { name: "Edit" }).click();
    await page.getByLabel("Value (JSON)").fill('{"offset": 8}');
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => detail.getByTestId("entry-version").textContent()).toBe("2");
    expect(await fx.seeded.client.getTaskState(LOAD, SLASH_KEY)).toMatchObject({
      version: 2,
      value: { offset: 8 },
    });
  });

  it("explains a value over state_store.max_value_storage_bytes (422 VALUE_TOO_LARGE) in words", async () => {
    const page = await open(taskHash(LOAD));
    await page.getByRole("button", { name: "Add key" }).click();
    await page.getByLabel("Key", { exact: true }).fill("too_big");
    await page.getByLabel("Value (JSON)").fill(JSON.stringify("x".repeat(70_000)));
    await page.getByRole("button", { name: "Save new key" }).click();
    const alert = page.getByRole("alert").filter({ hasText: "too large to store" });
    expect(await alert.textContent()).toBe(
      "The value is too large to store (422). The server stores at most 65,535 bytes per value (state_store.max_value_storage_bytes); this value is 70,002 bytes. Store large data in object storage and keep only a reference in state.",
    );
    await expect(fx.seeded.client.getTaskState(LOAD, "too_big")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("adds a key with If-None-Match: *, refusing one that exists without touching it", async () => {
    const before = await fx.seeded.client.getTaskState(LOAD, "job_id");
    const page = await open(taskHash(LOAD));
    await page.getByRole("button", { name: "Add key" }).click();
    await page.getByLabel("Key", { exact: true }).fill("job_id");
    await page.getByLabel("Value (JSON)").fill('"overwritten?"');
    await page.getByRole("button", { name: "Save new key" }).click();
    const alert = page.getByRole("alert").filter({ hasText: "already exists" });
    expect(await alert.textContent()).toBe(
      `A key named “job_id” already exists here (version ${before.version}). Close this form and edit that key instead.`,
    );
    expect(await fx.seeded.client.getTaskState(LOAD, "job_id")).toEqual(before);

    await page.getByLabel("Key", { exact: true }).fill("added_in_ui");
    await page.getByRole("button", { name: "Save new key" }).click();
    await page.getByRole("status").filter({ hasText: "Saved “added_in_ui” (version 1)." }).waitFor();
    expect(await fx.seeded.client.getTaskState(LOAD, "added_in_ui")).toMatchObject({
      version: 1,
      value: "overwritten?",
    });
    await fx.seeded.client.deleteTaskState(LOAD, "added_in_ui");
  });

  it("shows the server's refusal of a value holding __airflow_state_ref__", async () => {
    const page = await open(taskHash(LOAD, "watermark"));
    const detail = page.getByRole("region", { name: "Key watermark" });
    await detail.getByRole("button", { name: "Edit" }).click();
    await page.getByLabel("Value (JSON)").fill('{"__airflow_state_ref__": "s3://forged/ref"}');
    await page.getByRole("button", { name: "Save" }).click();
    const alert = page.getByRole("alert").filter({ hasText: "refused the input" });
    expect(await alert.textContent()).toBe(
      'The server refused the input (422) (value of key "watermark" holds the reserved member "__airflow_state_ref__", which marks a reference to offloaded state that only workers write; to store such data, wrap it, for example {"data": <value>}). Correct it and try again.',
    );
    const stored = await fx.seeded.client.getTaskState(LOAD, "watermark");
    expect(stored.is_reference).toBe(false);
    expect(stored.value).not.toHaveProperty("__airflow_state_ref__");
  });

  it("clears one map index behind a confirmation that names it, then every map index", async () => {
    const page = await open(taskHash(extract(1)));
    await page
      .getByRole("table", { name: /State keys/ })
      .getByRole("button", { name: "c" })
      .waitFor();
    await page.getByRole("button", { name: "Clear…" }).click();
    const dialog = page.getByRole("alertdialog", { name: "Clear task state?" });
    await expect
      .poll(() => dialog.getByTestId("clear-summary").textContent())
      .toBe(
        `This deletes 1 key of dag “${DAG}” / run “${RUN}” / task “extract” / map index 1. It cannot be undone.`,
      );
    await ui!.shot("clear-confirmation");
    await dialog.getByRole("button", { name: "Clear 1 key" }).click();
    await page.getByText("No task state for this task instance.", { exact: false }).waitFor();
    expect((await fx.seeded.client.listTaskState(extract(1))).total_entries).toBe(0);
    expect((await fx.seeded.client.listTaskState(extract(0))).total_entries).toBe(2);

    await page.goto(`${fx.server.url}/ui/${taskHash(extract(0))}`);
    await page
      .getByRole("table", { name: /State keys/ })
      .getByRole("button", { name: "a" })
      .waitFor();
    await page.getByRole("button", { name: "Clear…" }).click();
    await page.getByLabel(/Every map index of this task/).check();
    await expect
      .poll(() => page.getByTestId("clear-summary").textContent())
      .toBe(
        `This deletes 2 keys of dag “${DAG}” / run “${RUN}” / task “extract”, every map index (3 map indices; keys in 0). It cannot be undone.`,
      );
    await page.getByRole("button", { name: "Clear 2 keys" }).click();
    await page.getByText("No task state for this task instance.", { exact: false }).waitFor();
    expect((await fx.seeded.client.listTaskState(extract(0))).total_entries).toBe(0);
    expect((await fx.seeded.client.listTaskState(LOAD)).total_entries).toBe(4);
  });
});

describe("asset state in Chromium", () => {
  it("lists assets, shows an asset's keys with their writer, edits and clears them", async () => {
    const page = await open("#/assets");
    const assets = page.getByRole("table", { name: "Assets" });
    await assets.getByRole("button", { name: "orders" }).click();
    expect(await assets.getByRole("row", { name: /legacy_feed/ }).textContent()).toContain("inactive");

    const keys = page.getByRole("table", { name: /State keys of asset “orders”/ });
    const watermarkRow = keys.getByRole("row", { name: /watermark/ });
    await watermarkRow.waitFor();
    expect(await watermarkRow.textContent()).toContain("api");
    await keys.getByRole("button", { name: "watermark" }).click();
    const detail = page.getByRole("region", { name: "Key watermark" });
    await expect.poll(() => detail.getByTestId("entry-version").textContent()).toBe("1");
    await ui!.shot("asset-state");

    await detail.getByRole("button", { name: "Edit" }).click();
    await page.getByLabel("Value (JSON)").fill('"2026-03-02T00:00:00Z"');
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => detail.getByTestId("entry-version").textContent()).toBe("2");
    const orders = await fx.seeded.client.findAsset({ name: "orders" });
    expect(await fx.seeded.client.getAssetState(orders.id, "watermark")).toMatchObject({
      version: 2,
      value: "2026-03-02T00:00:00Z",
      last_updated_by: { kind: "api" },
    });

    await page.getByRole("button", { name: "Clear…" }).click();
    expect(await page.getByTestId("clear-summary").textContent()).toContain(
      "This deletes 2 keys of asset “orders” (s3://lake/orders).",
    );
    await page.getByRole("button", { name: "Clear 2 keys" }).click();
    await page.getByText("No state for this asset.", { exact: false }).waitFor();
    expect((await fx.seeded.client.listAssetState(orders.id)).total_entries).toBe(0);
  });

  it("keeps an inactive asset read-only", async () => {
    const page = await open("#/assets?asset=legacy_feed");
    await page
      .getByText(/This asset is inactive/)
      .first()
      .waitFor();
    expect(await page.getByRole("button", { name: "Add key" }).isDisabled()).toBe(true);
    expect(await page.getByRole("button", { name: "Clear…" }).count()).toBe(0);
  });
});
