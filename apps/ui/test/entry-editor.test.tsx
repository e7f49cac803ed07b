import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { createApiClient } from "../src/api/api-client";
import { EntryEditor } from "../src/components/entry-editor";
import { toLocalInput } from "../src/format/format-time";
import { taskStateCollection } from "../src/state/state-collection";
import { entry, referenceEntry } from "./support/entries";
import { answer, failure, fixtureFetch } from "./support/fixture-fetch";

const ti = { dagId: "etl", runId: "r1", taskId: "load", mapIndex: -1 };
const KEY = /state-store\/watermark$/;

function setup(f: ReturnType<typeof fixtureFetch>, opened = entry({ version: 3 })) {
  const collection = taskStateCollection(createApiClient({ fetch: f.fetch }), ti);
  const onSaved = vi.fn();
  const onCancel = vi.fn();
  render(
    <EntryEditor
      collection={collection}
      entry={opened}
      defaultRetentionDays={7}
      maxValueBytes={65536}
      onSaved={onSaved}
      onCancel={onCancel}
    />,
  );
  return { onSaved, onCancel, user: userEvent.setup() };
}

async function replaceValue(user: ReturnType<typeof userEvent.setup>, text: string) {
  const box = screen.getByLabelText("Value (JSON)");
  await user.clear(box);
  await user.click(box);
  await user.paste(text);
}

describe("EntryEditor", () => {
  it("sends the version it opened as If-Match and, on 412, says the value changed (3 → 4) and offers a reload", async () => {
    const f = fixtureFetch(
      failure("PATCH", KEY, 412, "precondition failed", "PRECONDITION_FAILED", { etag: '"4"' }),
      answer("GET", KEY, entry({ version: 4, value: { offset: 99 } }), 200, { etag: '"4"' }),
    );
    const { user, onSaved } = setup(f);
    await replaceValue(user, '{"offset": 50}');
    await user.click(screen.getByRole("button", { name: "Save" }));

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain(
      "This value changed since you opened it (version 3 → 4). Reload to see the new value.",
    );
    expect(alert.textContent).toContain("Your change was not saved.");
    expect(f.calls[0]).toMatchObject({ method: "PATCH", body: { value: { offset: 50 } } });
    expect(f.calls[0]!.body).toEqual({ value: { offset: 50 } });
    expect(f.calls[0]!.headers["if-match"]).toBe('"3"');
    expect(onSaved).not.toHaveBeenCalled();

    await user.click(screen.getByRole("button", { name: "Reload version 4" }));
    expect((screen.getByLabelText("Value (JSON)") as HTMLTextAreaElement).value).toBe('{\n  "offset": 99\n}');
    expect(screen.getByRole("heading").textContent).toContain("version 4");
    expect(screen.getByText("Your unsaved text (not stored)")).toBeTruthy();

    f.use(answer("PATCH", KEY, entry({ version: 5, value: { offset: 100 } })));
    await replaceValue(user, '{"offset": 100}');
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(f.calls.at(-1)).toMatchObject({ method: "PATCH", body: { value: { offset: 100 } } });
    expect(f.calls.at(-1)!.headers["if-match"]).toBe('"4"');
    expect(onSaved).toHaveBeenCalledWith(expect.objectContaining({ version: 5 }));
  });

  it("says the key was deleted when the 412 is followed by a 404", async () => {
    const f = fixtureFetch(
      failure("PATCH", KEY, 412, "precondition failed", "PRECONDITION_FAILED"),
      failure("GET", KEY, 404, "Task state store key 'watermark' not found", "NOT_FOUND"),
    );
    const { user } = setup(f);
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect((await screen.findByRole("alert")).textContent).toContain(
      "The key “watermark” was deleted since you opened it.",
    );
  });

  it("refuses to edit an offloaded value and explains why", () => {
    const f = fixtureFetch();
    setup(f, referenceEntry("s3://bucket/etl/r1/load/-1/big_blob"));
    expect(screen.getByRole("heading").textContent).toContain("is not possible");
    expect(document.body.textContent).toContain("lives in object storage and is owned by the worker backend");
    expect(document.body.textContent).toContain("s3://bucket/etl/r1/load/-1/big_blob");
    expect(screen.queryByLabelText("Value (JSON)")).toBeNull();
    expect(f.calls).toHaveLength(0);
  });

  it("shows a value over the limit (422 VALUE_TOO_LARGE) in words with the size limit", async () => {
    const f = fixtureFetch(failure("PATCH", KEY, 422, "value is too large", "VALUE_TOO_LARGE"));
    const { user } = setup(f);
    await replaceValue(user, '"abc"');
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect((await screen.findByRole("alert")).textContent).toBe(
      "The value is too large to store (422). The server stores at most 64 KiB per value (state_store.max_value_storage_bytes); this value is 5 bytes. Store large data in object storage and keep only a reference in state.",
    );
  });

  it("shows the server's reason when it refuses a value holding the reserved reference member", async () => {
    const reason =
      'value of key "watermark" holds the reserved member "__airflow_state_ref__", which marks a reference to offloaded state that only workers write';
    const f = fixtureFetch(failure("PATCH", KEY, 422, reason, "INVALID_VALUE"));
    const { user, onSaved } = setup(f);
    await replaceValue(user, '{"__airflow_state_ref__": "s3://b/k"}');
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect((await screen.findByRole("alert")).textContent).toBe(
      `The server refused the input (422) (${reason}). Correct it and try again.`,
    );
    expect(onSaved).not.toHaveBeenCalled();
  });

  it("puts with the chosen expiry: never, a custom local date-time (sent as UTC), default", async () => {
    const f = fixtureFetch(answer("PUT", KEY, entry({ version: 4 })));
    const { user } = setup(f);
    await user.click(screen.getByLabelText("Never expire"));
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(f.calls.at(-1)).toMatchObject({
      method: "PUT",
      body: { value: { offset: 42 }, expires_at: null },
    });
    expect(f.calls.at(-1)!.headers["if-match"]).toBe('"3"');

    await user.click(screen.getByLabelText("At a date and time"));
    const when = toLocalInput(Date.now() + 10 * 24 * 3600 * 1000);
    const input = screen.getByLabelText("Expires at (your local time)");
    await user.clear(input);
    await user.type(input, when);
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(f.calls.at(-1)!.body).toMatchObject({ expires_at: new Date(when).toISOString() });

    await user.click(screen.getByLabelText("Default retention: 7 days from now"));
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(f.calls.at(-1)!.body).toMatchObject({ expires_at: "default" });
  });

  it("refuses a custom expiry in the past and text that is not JSON, without calling the API", async () => {
    const f = fixtureFetch();
    const { user } = setup(f);
    await user.click(screen.getByLabelText("At a date and time"));
    const input = screen.getByLabelText("Expires at (your local time)");
    await user.clear(input);
    await user.type(input, "2001-01-01T00:00");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect((await screen.findByRole("alert")).textContent).toContain("Pick an expiry in the future");

    await replaceValue(user, "hello");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect((await screen.findByRole("alert")).textContent).toContain("This is not valid JSON");
    expect(f.calls).toHaveLength(0);
  });

  it("adding sends If-None-Match: *, so the server refuses a key that already exists in the same write", async () => {
    const f = fixtureFetch(
      failure("PUT", KEY, 412, "precondition failed", "PRECONDITION_FAILED", { etag: '"2"' }),
    );
    const collection = taskStateCollection(createApiClient({ fetch: f.fetch }), ti);
    const onSaved = vi.fn();
    render(
      <EntryEditor
        collection={collection}
        defaultRetentionDays={0}
        maxValueBytes={100}
        onSaved={onSaved}
        onCancel={vi.fn()}
      />,
    );
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Key"), "watermark");
    await user.type(screen.getByLabelText("Value (JSON)"), "1");
    expect(
      screen.getByLabelText("Default retention: never expires (default_retention_days is 0)"),
    ).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Save new key" }));
    expect((await screen.findByRole("alert")).textContent).toContain(
      "A key named “watermark” already exists here (version 2). Close this form and edit that key instead.",
    );
    // One conditional write, no check-then-write lookup.
    expect(f.calls.map((c) => c.method)).toEqual(["PUT"]);
    expect(f.calls[0]!.headers["if-none-match"]).toBe("*");
    expect(onSaved).not.toHaveBeenCalled();

    f.use(answer("PUT", /state-store\/fresh$/, entry({ key: "fresh", version: 1 }), 200, { etag: '"1"' }));
    await user.clear(screen.getByLabelText("Key"));
    await user.type(screen.getByLabelText("Key"), "fresh");
    await user.click(screen.getByRole("button", { name: "Save new key" }));
    expect(f.calls.at(-1)).toMatchObject({ method: "PUT", body: { value: 1, expires_at: "default" } });
    expect(f.calls.at(-1)!.headers).toMatchObject({ "if-none-match": "*", prefer: "return=representation" });
    expect(f.calls.at(-1)!.headers).not.toHaveProperty("if-match");
    expect(onSaved).toHaveBeenCalledWith(expect.objectContaining({ key: "fresh", version: 1 }));
  });
});
