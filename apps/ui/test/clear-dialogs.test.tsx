import { fireEvent, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { AssetSummary, TaskInstanceSummary } from "../src/api/wire-types";
import { AssetClearDialog } from "../src/pages/asset-clear-dialog";
import { TaskClearDialog } from "../src/pages/task-clear-dialog";
import { answer, failure, fixtureFetch } from "./support/fixture-fetch";
import { renderWithApi } from "./support/render-with-api";

const tiRow = (task_id: string, map_index: number, state_key_count: number): TaskInstanceSummary => ({
  id: `${task_id}-${map_index}`,
  dag_id: "etl",
  run_id: "r1",
  task_id,
  region_id: "00000000-0000-0000-0000-000000000000",
  map_index,
  state: "success",
  try_number: 1,
  state_key_count,
});

describe("TaskClearDialog", () => {
  it("names dag, run, task, map index and key count, for one map index or all of them", async () => {
    const f = fixtureFetch(
      answer("GET", "/api/v2/dags/etl/dagRuns/r1/taskInstances", {
        // The search is a substring match: "load_more" comes back too and must not be counted.
        task_instances: [
          tiRow("load", 0, 3),
          tiRow("load", 1, 0),
          tiRow("load", 2, 2),
          tiRow("load_more", -1, 9),
        ],
        total_entries: 4,
      }),
      answer("DELETE", "/api/v2/dags/etl/dagRuns/r1/taskInstances/load/state-store", undefined, 204),
    );
    const onCleared = vi.fn();
    renderWithApi(
      <TaskClearDialog
        ti={{ dagId: "etl", runId: "r1", taskId: "load", mapIndex: 0 }}
        onCleared={onCleared}
        onCancel={vi.fn()}
      />,
      f.fetch,
    );
    const summary = await screen.findByText(/This deletes 3 keys/);
    expect(summary.textContent).toBe(
      "This deletes 3 keys of dag “etl” / run “r1” / task “load” / map index 0. It cannot be undone.",
    );
    expect(screen.getByRole("alertdialog", { name: "Clear task state?" })).toBeTruthy();
    expect(document.activeElement?.textContent).toBe("Cancel");

    const user = userEvent.setup();
    await user.click(screen.getByLabelText(/Every map index of this task/));
    expect(screen.getByTestId("clear-summary").textContent).toBe(
      "This deletes 5 keys of dag “etl” / run “r1” / task “load”, every map index (3 map indices; keys in 0, 2). It cannot be undone.",
    );
    await user.click(screen.getByRole("button", { name: "Clear 5 keys" }));
    const del = f.calls.find((c) => c.method === "DELETE")!;
    expect(del.query.get("all_map_indices")).toBe("true");
    expect(onCleared).toHaveBeenCalledWith(
      "Cleared 5 keys of dag “etl” / run “r1” / task “load”, every map index (3 map indices; keys in 0, 2).",
    );
  });

  it("offers no map index choice for an unmapped task, and shows a failed clear in words", async () => {
    const f = fixtureFetch(
      answer("GET", "/api/v2/dags/etl/dagRuns/r1/taskInstances", {
        task_instances: [tiRow("t", -1, 1)],
        total_entries: 1,
      }),
      failure(
        "DELETE",
        "/api/v2/dags/etl/dagRuns/r1/taskInstances/t/state-store",
        404,
        "no task instance",
        "TASK_INSTANCE_NOT_FOUND",
      ),
    );
    renderWithApi(
      <TaskClearDialog
        ti={{ dagId: "etl", runId: "r1", taskId: "t", mapIndex: -1 }}
        onCleared={vi.fn()}
        onCancel={vi.fn()}
      />,
      f.fetch,
    );
    expect((await screen.findByText(/This deletes 1 key /)).textContent).toBe(
      "This deletes 1 key of dag “etl” / run “r1” / task “t” / map index -1 (unmapped). It cannot be undone.",
    );
    expect(screen.queryByLabelText(/Every map index/)).toBeNull();
    await userEvent.setup().click(screen.getByRole("button", { name: "Clear 1 key" }));
    expect((await screen.findByRole("alert")).textContent).toBe(
      "This task instance does not exist (anymore). Pick another task instance.",
    );
  });
});

describe("AssetClearDialog", () => {
  it("names the asset, its URI and the key count", async () => {
    const asset: AssetSummary = {
      id: 7,
      name: "orders",
      uri: "s3://lake/orders",
      active: true,
      created_at: "2026-01-01T00:00:00Z",
      state_key_count: 4,
    };
    const f = fixtureFetch(answer("DELETE", "/api/v2/assets/7/state-store", undefined, 204));
    const onCleared = vi.fn();
    const onCancel = vi.fn();
    renderWithApi(
      <AssetClearDialog asset={asset} keyCount={4} onCleared={onCleared} onCancel={onCancel} />,
      f.fetch,
    );
    expect(screen.getByTestId("clear-summary").textContent).toContain(
      "This deletes 4 keys of asset “orders” (s3://lake/orders).",
    );
    const user = userEvent.setup();
    // Modal: Tab on the last control wraps to the first, Shift+Tab on the first to the last.
    expect(document.activeElement?.textContent).toBe("Cancel");
    fireEvent.keyDown(document.activeElement!, { key: "Tab", shiftKey: true });
    expect(document.activeElement?.textContent).toBe("Clear 4 keys");
    fireEvent.keyDown(document.activeElement!, { key: "Tab" });
    expect(document.activeElement?.textContent).toBe("Cancel");
    await user.keyboard("{Escape}");
    expect(onCancel).toHaveBeenCalled();
    await user.click(screen.getByRole("button", { name: "Clear 4 keys" }));
    expect(onCleared).toHaveBeenCalledWith("Cleared 4 keys of asset “orders” (s3://lake/orders).");
  });
});
