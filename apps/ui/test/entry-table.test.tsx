import { render, screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { EntryTable } from "../src/components/entry-table";
import { assetEntry, entry, referenceEntry } from "./support/entries";

describe("EntryTable", () => {
  it("shows key, value preview, version, updated and expiry as local and relative time", () => {
    const entries = [
      entry({ key: "watermark", value: { offset: 42 }, version: 3 }),
      entry({ key: "job_id", value: "12345", version: 1, expires_at: null }),
    ];
    const now = Date.parse(entries[0]!.updated_at) + 3600 * 1000;
    render(
      <EntryTable
        kind="task"
        caption="keys"
        now={now}
        selectedKey={undefined}
        onSelect={vi.fn()}
        entries={entries}
      />,
    );
    const rows = screen.getAllByRole("row").slice(1);
    const first = within(rows[0]!);
    expect(first.getByRole("button", { name: "watermark" })).toBeTruthy();
    expect(first.getByText('{"offset":42}')).toBeTruthy();
    expect(first.getByText("3")).toBeTruthy();
    expect(first.getByText("(in 3 days)")).toBeTruthy();
    expect(first.getByText("(1 hour ago)")).toBeTruthy();
    const expires = rows[0]!.querySelectorAll("time")[1]!;
    expect(expires.getAttribute("dateTime")).toMatch(/Z$/);
    expect(expires.textContent).toContain(
      new Date(expires.getAttribute("dateTime")!).getFullYear().toString(),
    );
    expect(within(rows[1]!).getByText("Never")).toBeTruthy();
    expect(within(rows[1]!).getByText('"12345"')).toBeTruthy();
  });

  it("shows an offloaded value as a 'Stored externally' badge with its ref, not the envelope", () => {
    render(
      <EntryTable
        kind="task"
        caption="keys"
        selectedKey={undefined}
        onSelect={vi.fn()}
        entries={[referenceEntry("s3://bucket/prefix/etl/r1/load/-1/big_blob")]}
      />,
    );
    expect(screen.getByText("Stored externally")).toBeTruthy();
    expect(screen.getByText("s3://bucket/prefix/etl/r1/load/-1/big_blob")).toBeTruthy();
    expect(document.body.textContent).not.toContain("__airflow_state_ref__");
  });

  it("shows the last writer of asset state", () => {
    render(
      <EntryTable
        kind="asset"
        caption="keys"
        selectedKey={undefined}
        onSelect={vi.fn()}
        entries={[
          assetEntry({ key: "a" }),
          assetEntry({
            key: "b",
            last_updated_by: { kind: "api", dag_id: null, run_id: null, task_id: null, map_index: null },
          }),
          assetEntry({
            key: "c",
            last_updated_by: { kind: "watcher", dag_id: null, run_id: null, task_id: null, map_index: null },
          }),
        ]}
      />,
    );
    const rows = screen.getAllByRole("row").slice(1);
    expect(rows[0]!.textContent).toContain("etl / r1 / load");
    expect(within(rows[1]!).getByText("api")).toBeTruthy();
    expect(within(rows[2]!).getByText("watcher")).toBeTruthy();
    expect(screen.getByRole("columnheader", { name: "Last updated by" })).toBeTruthy();
  });
});
