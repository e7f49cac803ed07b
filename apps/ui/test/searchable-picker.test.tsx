import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import type { Page } from "../src/api/wire-types";
import { SearchablePicker } from "../src/components/searchable-picker";
import { TaskScopePicker } from "../src/pages/task-scope-picker";
import type { TaskStateRoute } from "../src/routing/route";
import { answer, fixtureFetch } from "./support/fixture-fetch";
import { renderWithApi } from "./support/render-with-api";

const NAMES = ["alpha", "beta", "gamma"];

function Fruits(props: { picked: string[] }) {
  const [selected, setSelected] = useState<string | undefined>(undefined);
  return (
    <SearchablePicker<string>
      label="Fruit"
      deps={[]}
      load={async (search): Promise<Page<string>> => {
        const items = NAMES.filter((n) => n.includes(search));
        return { items, total: items.length };
      }}
      toOption={(name) => ({ id: name, label: name })}
      selectedId={selected}
      onSelect={(name) => {
        props.picked.push(name);
        setSelected(name);
      }}
      emptyText="No fruit."
    />
  );
}

describe("SearchablePicker keyboard", () => {
  it("moves the active option with the arrows, picks with Enter and closes with Escape", async () => {
    const picked: string[] = [];
    const f = fixtureFetch();
    renderWithApi(<Fruits picked={picked} />, f.fetch);
    const user = userEvent.setup();
    const box = screen.getByRole("combobox", { name: "Search fruit" });
    const listbox = await screen.findByRole("listbox", { name: "Fruit" });
    expect(box.getAttribute("aria-controls")).toBe(listbox.id);
    expect(box.getAttribute("aria-expanded")).toBe("true");
    expect(box.getAttribute("aria-activedescendant")).toBeNull();

    await user.click(box);
    await user.keyboard("{ArrowDown}");
    const active = () =>
      document.getElementById(box.getAttribute("aria-activedescendant") ?? "")?.textContent;
    expect(active()).toBe("alpha");
    await user.keyboard("{ArrowDown}{ArrowDown}{ArrowDown}");
    expect(active()).toBe("gamma");
    await user.keyboard("{ArrowUp}");
    expect(active()).toBe("beta");
    await user.keyboard("{Enter}");
    expect(picked).toEqual(["beta"]);
    expect(screen.getByRole("option", { name: "beta" }).getAttribute("aria-selected")).toBe("true");
    expect(screen.getByRole("option", { name: "alpha" }).getAttribute("aria-selected")).toBe("false");

    await user.keyboard("{Escape}");
    expect(screen.queryByRole("listbox")).toBeNull();
    expect(box.getAttribute("aria-expanded")).toBe("false");
    expect(box.getAttribute("aria-activedescendant")).toBeNull();
    // Closed, Enter picks nothing; ArrowDown opens on the picked option.
    await user.keyboard("{Enter}");
    expect(picked).toEqual(["beta"]);
    await user.keyboard("{ArrowDown}");
    expect(screen.getByRole("listbox")).toBeTruthy();
    expect(active()).toBe("beta");

    // Typing narrows (server-side) and starts again with no active option.
    await user.keyboard("{Escape}");
    await user.type(box, "gam");
    await waitFor(() => expect(screen.getAllByRole("option").map((o) => o.textContent)).toEqual(["gamma"]));
    expect(box.getAttribute("aria-activedescendant")).toBeNull();
    await user.keyboard("{ArrowUp}{Enter}");
    expect(picked).toEqual(["beta", "gamma"]);
  });
});

describe("TaskScopePicker keyboard", () => {
  it("picks a dag with the arrow keys and Enter", async () => {
    const f = fixtureFetch(
      answer("GET", "/api/v2/dags", {
        dags: [
          { dag_id: "etl", dag_run_count: 1 },
          { dag_id: "report", dag_run_count: 2 },
        ],
        total_entries: 2,
      }),
    );
    const routes: TaskStateRoute[] = [];
    renderWithApi(<TaskScopePicker route={{ page: "tasks" }} navigate={(r) => routes.push(r)} />, f.fetch);
    const user = userEvent.setup();
    await screen.findByRole("option", { name: /^report/ });
    await user.click(screen.getByRole("combobox", { name: "Search dag" }));
    await user.keyboard("{ArrowDown}{ArrowDown}{Enter}");
    expect(routes).toEqual([{ page: "tasks", dagId: "report" }]);
  });
});
