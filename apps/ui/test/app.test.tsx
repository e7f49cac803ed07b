import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { TOKEN_STORAGE_KEY } from "../src/api/token-storage";
import { App } from "../src/app";
import { entry, referenceEntry, taskWire } from "./support/entries";
import { answer, errorAnswer, type FixtureRoute, failure, fixtureFetch } from "./support/fixture-fetch";

const config = (auth: "none" | "token") =>
  answer("GET", "/api/v2/config/ui", { auth, default_retention_days: 7, max_value_storage_bytes: 65536 });

const RUN = "manual__2026-03-01";
const STATE = `/api/v2/dags/etl/dagRuns/${RUN}/taskInstances/load/state-store`;

function world(entries = [entry({ key: "watermark", value: { offset: 42 }, version: 3 })]): FixtureRoute[] {
  return [
    answer("GET", "/api/v2/dags", { dags: [{ dag_id: "etl", dag_run_count: 1 }], total_entries: 1 }),
    answer("GET", "/api/v2/dags/etl/dagRuns", {
      dag_runs: [{ dag_id: "etl", run_id: RUN, created_at: new Date().toISOString() }],
      total_entries: 1,
    }),
    answer("GET", `/api/v2/dags/etl/dagRuns/${RUN}/taskInstances`, {
      task_instances: [
        {
          id: "1",
          dag_id: "etl",
          run_id: RUN,
          task_id: "load",
          map_index: -1,
          state: "success",
          try_number: 1,
          state_key_count: entries.length,
        },
      ],
      total_entries: 1,
    }),
    {
      method: "GET",
      path: STATE,
      respond: (req) => ({
        body: { task_state_store: entries.map((e) => taskWire(e, req.query)), total_entries: entries.length },
      }),
    },
    ...entries.map(
      (e): FixtureRoute => ({
        method: "GET",
        path: `${STATE}/${e.key}`,
        respond: (req) => ({ body: taskWire(e, req.query), headers: { etag: `"${e.version}"` } }),
      }),
    ),
  ];
}

function at(hash: string) {
  window.history.replaceState(null, "", `/ui/${hash}`);
}

describe("App with api.auth = none", () => {
  it("browses dag → run → task (single map index picked at once) → key, keeping it all in the URL", async () => {
    const f = fixtureFetch(config("none"), ...world());
    render(<App fetch={f.fetch} />);
    const user = userEvent.setup();

    await user.click(await screen.findByRole("option", { name: /^etl/ }));
    await user.click(await screen.findByRole("option", { name: new RegExp(`^${RUN}`) }));
    await user.click(await screen.findByRole("option", { name: /^load/ }));
    expect(window.location.hash).toBe(`#/tasks?dag_id=etl&run_id=${RUN}&task_id=load&map_index=-1`);

    const table = await screen.findByRole("table", { name: /State keys of dag “etl”/ });
    await user.click(within(table).getByRole("button", { name: "watermark" }));
    expect(window.location.hash).toContain("&key=watermark");
    const panel = await screen.findByRole("region", { name: "Key watermark" });
    expect(within(panel).getByTestId("entry-value").textContent).toBe('{\n  "offset": 42\n}');
    expect(within(panel).getByTestId("entry-version").textContent).toBe("3");
    expect(document.title).toBe("Task state · Tidemark");
  });

  it("opens a linked URL straight on the key, and never shows an expired entry", async () => {
    const expired = entry({ key: "stale", expires_at: new Date(Date.now() - 1000).toISOString() });
    const f = fixtureFetch(config("none"), ...world([entry({ key: "fresh" }), expired]));
    at(`#/tasks?dag_id=etl&run_id=${RUN}&task_id=load&map_index=-1&key=fresh`);
    render(<App fetch={f.fetch} />);
    const table = await screen.findByRole("table", { name: /State keys/ });
    expect(within(table).getByRole("button", { name: "fresh" })).toBeTruthy();
    expect(within(table).queryByRole("button", { name: "stale" })).toBeNull();
    expect(await screen.findByRole("region", { name: "Key fresh" })).toBeTruthy();
  });

  it("says what to do when a task instance has no state", async () => {
    const f = fixtureFetch(config("none"), ...world([]));
    at(`#/tasks?dag_id=etl&run_id=${RUN}&task_id=load&map_index=-1`);
    render(<App fetch={f.fetch} />);
    expect(await screen.findByText(/No task state for this task instance/)).toBeTruthy();
    expect(screen.getByText("ctx.taskStateStore.set(key, value)")).toBeTruthy();
  });

  it("shows an offloaded entry's badge and ref in the detail, not the envelope", async () => {
    const ref = "file:///var/tidemark/objects/etl/load/big_blob.json";
    const f = fixtureFetch(config("none"), ...world([referenceEntry(ref)]));
    at(`#/tasks?dag_id=etl&run_id=${RUN}&task_id=load&map_index=-1&key=big_blob`);
    render(<App fetch={f.fetch} />);
    const panel = await screen.findByRole("region", { name: "Key big_blob" });
    expect(within(panel).getByText("Stored externally")).toBeTruthy();
    expect(within(panel).getAllByText(ref).length).toBeGreaterThan(0);
    expect(document.body.textContent).not.toContain("__airflow_state_ref__");
    expect(within(panel).getByTestId("entry-reference").textContent).toBe(ref);
    // Editing would replace the reference and orphan the stored object: only Delete is offered.
    expect(within(panel).queryByRole("button", { name: "Edit" })).toBeNull();
    expect(within(panel).getByRole("button", { name: "Delete" })).toBeTruthy();
    expect(within(panel).getByRole("button", { name: "Copy reference" })).toBeTruthy();
  });

  it("shows a vanished task instance in words", async () => {
    const f = fixtureFetch(
      config("none"),
      ...world(),
      failure(
        "GET",
        `/api/v2/dags/etl/dagRuns/${RUN}/taskInstances/gone/state-store`,
        404,
        "Task instance not found for dag_id='etl', run_id='r1', task_id='gone', map_index=-1",
        "TASK_INSTANCE_NOT_FOUND",
      ),
    );
    at(`#/tasks?dag_id=etl&run_id=${RUN}&task_id=gone&map_index=-1`);
    render(<App fetch={f.fetch} />);
    expect((await screen.findByText(/This task instance does not exist/)).textContent).toBe(
      "This task instance does not exist (anymore). Pick another task instance.",
    );
  });
});

describe("App with api.auth = token", () => {
  it("asks once for a token, keeps it in sessionStorage and sends it as a bearer token", async () => {
    const f = fixtureFetch(config("token"), ...world());
    render(<App fetch={f.fetch} />);
    const user = userEvent.setup();
    const input = await screen.findByLabelText("API token");
    expect(screen.getByRole("heading", { name: "Sign in to Tidemark" })).toBeTruthy();
    await user.type(input, "  s3cret ");
    await user.click(screen.getByRole("button", { name: "Continue" }));
    expect(await screen.findByRole("option", { name: /^etl/ })).toBeTruthy();
    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBe("s3cret");
    const dags = f.calls.find((c) => c.path === "/api/v2/dags")!;
    expect(dags.headers.authorization).toBe("Bearer s3cret");
  });

  it("uses a kept token without asking, and asks again when the server answers 401", async () => {
    sessionStorage.setItem(TOKEN_STORAGE_KEY, "old");
    const f = fixtureFetch(config("token"), ...world());
    f.use({
      method: "GET",
      path: "/api/v2/dags",
      respond: (req) =>
        req.headers.authorization === "Bearer new"
          ? { body: { dags: [{ dag_id: "etl", dag_run_count: 1 }], total_entries: 1 } }
          : errorAnswer(401, "invalid token", "UNAUTHORIZED"),
    });
    render(<App fetch={f.fetch} />);
    const user = userEvent.setup();
    expect((await screen.findByRole("alert")).textContent).toContain("did not accept the token (401)");
    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBeNull();
    await user.type(screen.getByLabelText("API token"), "new");
    await user.click(screen.getByRole("button", { name: "Continue" }));
    expect(await screen.findByRole("option", { name: /^etl/ })).toBeTruthy();
    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBe("new");
  });

  it("refuses an empty token", async () => {
    const f = fixtureFetch(config("token"));
    render(<App fetch={f.fetch} />);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Continue" }));
    expect((await screen.findByRole("alert")).textContent).toBe("Enter a token.");
    await waitFor(() => expect(f.calls).toHaveLength(1));
  });
});

describe("App with api.auth = token and no token configured", () => {
  const noTokens = (configured: boolean) =>
    answer("GET", "/api/v2/config/ui", {
      auth: "token",
      auth_tokens_configured: configured,
      default_retention_days: 7,
      max_value_storage_bytes: 65536,
    });

  it("says the server has no token and how to add one, instead of asking for one", async () => {
    const f = fixtureFetch(noTokens(false));
    render(<App fetch={f.fetch} />);
    expect(
      await screen.findByRole("heading", { name: "This API server has no token configured" }),
    ).toBeTruthy();
    expect(screen.queryByLabelText("API token")).toBeNull();
    expect(screen.getByText("TIDEMARK__API__AUTH_TOKENS=<secret> tidemark api-server")).toBeTruthy();
    expect(document.body.textContent).toContain('auth_tokens = ["<secret>"]');
    expect(document.body.textContent).toContain('api.auth = "none"');
    expect(f.calls.map((c) => c.path)).toEqual(["/api/v2/config/ui"]);
  });

  it("asks for a token when the server has some configured", async () => {
    const f = fixtureFetch(noTokens(true));
    render(<App fetch={f.fetch} />);
    expect(await screen.findByLabelText("API token")).toBeTruthy();
  });
});

describe("App startup", () => {
  it("says so in words when the API server cannot be reached", async () => {
    render(<App fetch={() => Promise.reject(new TypeError("Failed to fetch"))} />);
    expect((await screen.findByRole("alert")).textContent).toContain(
      "Could not reach the Tidemark API server",
    );
  });
});
