import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../src/app";
import { formatZoned } from "../src/format/format-time";
import { entry, taskWire } from "./support/entries";
import { answer, type FixtureRoute, fixtureFetch } from "./support/fixture-fetch";

const RUN = "scheduled__2026-03-01T00:00:00+00:00";
const CREATED = "2026-03-01T00:05:00Z";
const STATE = `/api/v2/dags/etl/dagRuns/${RUN}/taskInstances/load/state-store`;
const PAGE = `#/dags/etl/runs/${encodeURIComponent(RUN)}/tasks/load/map-index/2`;

function world(runExtras: Record<string, unknown> = {}): FixtureRoute[] {
  const e = entry({ key: "watermark", value: { offset: 42, done: true } });
  return [
    answer("GET", "/api/v2/config/ui", {
      auth: "none",
      default_retention_days: 7,
      max_value_storage_bytes: 0,
    }),
    answer("GET", "/api/v2/dags/etl/dagRuns", {
      dag_runs: [
        { dag_id: "etl", run_id: `${RUN}_b`, created_at: "2026-03-02T00:00:00Z" },
        { dag_id: "etl", run_id: RUN, created_at: CREATED, ...runExtras },
      ],
      total_entries: 2,
    }),
    answer("GET", `/api/v2/dags/etl/dagRuns/${RUN}/taskInstances`, {
      task_instances: [1, 2].map((mapIndex) => ({
        id: String(mapIndex),
        dag_id: "etl",
        run_id: RUN,
        task_id: "load",
        region_id: "00000000-0000-0000-0000-000000000000",
        map_index: mapIndex,
        state: mapIndex === 2 ? "up_for_retry" : "success",
        try_number: 2,
        state_key_count: 1,
      })),
      total_entries: 2,
    }),
    {
      method: "GET",
      path: STATE,
      respond: (req) => ({ body: { task_state_store: [taskWire(e, req.query)], total_entries: 1 } }),
    },
    {
      method: "GET",
      path: `${STATE}/watermark`,
      respond: (req) => ({ body: taskWire(e, req.query), headers: { etag: `"${e.version}"` } }),
    },
  ];
}

describe("the task instance page", () => {
  it("names the task instance in a breadcrumb of links back, with the run's and the instance's facts", async () => {
    const f = fixtureFetch(...world());
    window.history.replaceState(null, "", `/ui/${PAGE}`);
    render(<App fetch={f.fetch} />);

    expect(await screen.findByRole("heading", { name: "Task instance", level: 1 })).toBeTruthy();
    const crumbs = within(screen.getByRole("navigation", { name: "Task instance" })).getAllByRole("link");
    expect(crumbs.map((a) => [a.textContent, a.getAttribute("href")])).toEqual([
      ["Dag etl", "#/tasks?dag_id=etl"],
      [`Run ${RUN}`, `#/tasks?dag_id=etl&run_id=${encodeURIComponent(RUN).replace(/%20/g, "+")}`],
      ["Task load", `#/tasks?dag_id=etl&run_id=${encodeURIComponent(RUN).replace(/%20/g, "+")}&task_id=load`],
      ["Map index 2", PAGE],
    ]);
    expect(crumbs[3]?.getAttribute("aria-current")).toBe("page");
    expect(crumbs.slice(0, 3).every((a) => a.getAttribute("aria-current") === null)).toBe(true);

    await waitFor(() => expect(screen.getByTestId("ti-state").textContent).toBe("up_for_retry"));
    expect(screen.getByTestId("run-date").textContent).toContain(formatZoned(CREATED));
    expect(screen.getByTestId("run-state").textContent).toBe("not reported");
    expect(document.title).toBe("Task instance · Tidemark");

    const table = await screen.findByRole("table", { name: /State keys of dag “etl”/ });
    await userEvent.setup().click(within(table).getByRole("button", { name: "watermark" }));
    expect(window.location.hash).toBe(`${PAGE}?key=watermark`);
    expect(await screen.findByRole("region", { name: "Key watermark" })).toBeTruthy();
  });

  it("shows the run's logical date and state when the server reports them", async () => {
    const f = fixtureFetch(...world({ logical_date: "2026-03-01T00:00:00Z", state: "running" }));
    window.history.replaceState(null, "", `/ui/${PAGE}`);
    render(<App fetch={f.fetch} />);
    await waitFor(() => expect(screen.getByTestId("run-state").textContent).toBe("running"));
    expect(screen.getByText("Logical date")).toBeTruthy();
    expect(screen.getByText(formatZoned("2026-03-01T00:00:00Z"))).toBeTruthy();
  });

  it("keeps the old picker route, whose last crumb opens the task instance page", async () => {
    const f = fixtureFetch(...world());
    window.history.replaceState(
      null,
      "",
      `/ui/#/tasks?dag_id=etl&run_id=${encodeURIComponent(RUN)}&task_id=load&map_index=2`,
    );
    render(<App fetch={f.fetch} />);
    expect(await screen.findByRole("heading", { name: "Task state", level: 1 })).toBeTruthy();
    expect(await screen.findByRole("table", { name: /State keys/ })).toBeTruthy();
    const crumbs = within(screen.getByRole("navigation", { name: "Task instance" })).getAllByRole("link");
    await userEvent.setup().click(crumbs[3]!);
    expect(await screen.findByRole("heading", { name: "Task instance", level: 1 })).toBeTruthy();
    expect(window.location.hash).toBe(PAGE);
  });
});
