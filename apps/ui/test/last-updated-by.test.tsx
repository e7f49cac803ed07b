import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { LastUpdatedByText } from "../src/components/last-updated-by";

describe("LastUpdatedByText", () => {
  it("links a task writer to its task instance page", () => {
    render(
      <LastUpdatedByText
        writer={{ kind: "task", dag_id: "etl", run_id: "manual 1", task_id: "load", map_index: 3 }}
      />,
    );
    const link = screen.getByRole("link", { name: "etl / manual 1 / load [3]" });
    expect(link.getAttribute("href")).toBe("#/dags/etl/runs/manual%201/tasks/load/map-index/3");
  });

  it("shows an api or watcher writer, or an incomplete task writer, as text without a link", () => {
    const { rerender } = render(
      <LastUpdatedByText
        writer={{ kind: "api", dag_id: null, run_id: null, task_id: null, map_index: null }}
      />,
    );
    expect(screen.getByText("api")).toBeTruthy();
    expect(screen.queryByRole("link")).toBeNull();
    rerender(
      <LastUpdatedByText
        writer={{ kind: "task", dag_id: "etl", run_id: null, task_id: "load", map_index: null }}
      />,
    );
    expect(screen.getByText("etl / ? / load")).toBeTruthy();
    expect(screen.queryByRole("link")).toBeNull();
    rerender(<LastUpdatedByText writer={null} />);
    expect(screen.getByText("unknown")).toBeTruthy();
  });
});
