import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { AssetStateEntry, AssetSummary } from "../src/api/wire-types";
import { App } from "../src/app";
import { assetEntry, assetWire } from "./support/entries";
import { answer, type FixtureRoute, fixtureFetch } from "./support/fixture-fetch";

/** An asset's key listing, answered as the server would for the request's include. */
const listing = (path: string, entries: AssetStateEntry[]): FixtureRoute => ({
  method: "GET",
  path,
  respond: (req) => ({
    body: { asset_state_store: entries.map((e) => assetWire(e, req.query)), total_entries: entries.length },
  }),
});

const asset = (id: number, name: string, active: boolean, state_key_count: number): AssetSummary => ({
  id,
  name,
  uri: `s3://lake/${name}`,
  active,
  created_at: "2026-01-01T00:00:00Z",
  state_key_count,
});

function fixtures() {
  return fixtureFetch(
    answer("GET", "/api/v2/config/ui", {
      auth: "none",
      default_retention_days: 7,
      max_value_storage_bytes: 65536,
    }),
    answer("GET", "/api/v2/assets", {
      assets: [asset(1, "orders", true, 2), asset(2, "legacy", false, 1)],
      total_entries: 2,
    }),
    answer("GET", "/api/v2/assets/by-name/orders", asset(1, "orders", true, 2)),
    answer("GET", "/api/v2/assets/by-name/legacy", asset(2, "legacy", false, 1)),
    listing("/api/v2/assets/1/state-store", [
      assetEntry({ key: "watermark" }),
      assetEntry({
        key: "cursor",
        value: 17,
        last_updated_by: { kind: "watcher", dag_id: null, run_id: null, task_id: null, map_index: null },
      }),
    ]),
    listing("/api/v2/assets/2/state-store", [assetEntry({ key: "old" })]),
    {
      method: "GET",
      path: "/api/v2/assets/2/state-store/old",
      respond: (req) => ({ body: assetWire(assetEntry({ key: "old" }), req.query) }),
    },
  );
}

describe("asset state page", () => {
  it("lists assets with name, uri and active, then the chosen asset's keys with their last writer", async () => {
    window.history.replaceState(null, "", "/ui/#/assets");
    const f = fixtures();
    render(<App fetch={f.fetch} />);
    const list = await screen.findByRole("table", { name: "Assets" });
    const rows = within(list).getAllByRole("row").slice(1);
    expect(rows[0]!.textContent).toContain("s3://lake/orders");
    expect(within(rows[0]!).getByText("active")).toBeTruthy();
    expect(within(rows[1]!).getByText("inactive")).toBeTruthy();

    await userEvent.setup().click(within(list).getByRole("button", { name: "orders" }));
    expect(window.location.hash).toBe("#/assets?asset=orders");
    const keys = await screen.findByRole("table", { name: /State keys of asset “orders”/ });
    const keyRows = within(keys).getAllByRole("row").slice(1);
    expect(keyRows[0]!.textContent).toContain("etl / r1 / load");
    expect(within(keyRows[1]!).getByText("watcher")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Clear…" })).toBeTruthy();
    expect(document.title).toBe("Asset state · Tidemark");
  });

  it("keeps an inactive asset read-only and says why", async () => {
    window.history.replaceState(null, "", "/ui/#/assets?asset=legacy&key=old");
    render(<App fetch={fixtures().fetch} />);
    const panel = await screen.findByRole("region", { name: "Key old" });
    expect(within(panel).getByTestId("entry-version").textContent).toBe("3");
    expect(within(panel).queryByRole("button", { name: "Edit" })).toBeNull();
    expect(within(panel).getByText(/This asset is inactive/)).toBeTruthy();
    expect((screen.getByRole("button", { name: "Add key" }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.queryByRole("button", { name: "Clear…" })).toBeNull();
  });
});
