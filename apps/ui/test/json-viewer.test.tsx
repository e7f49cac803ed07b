import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { JsonViewer } from "../src/components/json-viewer";

const VALUE = { offset: 42, name: 'a"b', done: true, gone: null, items: [1, { x: "y" }], empty: {} };

/** Replaces the clipboard user-event installs with one whose writes the test controls. */
function stubClipboard(writeText: (text: string) => Promise<void>) {
  const stub = { writeText: vi.fn(writeText) };
  Object.defineProperty(navigator, "clipboard", { value: stub, configurable: true });
  return stub;
}

describe("JsonViewer", () => {
  it("renders the pretty JSON text with a class per token type", () => {
    render(<JsonViewer value={VALUE} />);
    const pre = screen.getByTestId("entry-value");
    expect(pre.textContent).toBe(JSON.stringify(VALUE, null, 2));
    const texts = (cls: string) => [...pre.querySelectorAll(`.${cls}`)].map((el) => el.textContent);
    expect(texts("json-key")).toEqual([
      '"offset"',
      '"name"',
      '"done"',
      '"gone"',
      '"items"',
      '"x"',
      '"empty"',
    ]);
    expect(texts("json-number")).toEqual(["42", "1"]);
    expect(texts("json-string")).toEqual(['"a\\"b"', '"y"']);
    expect(texts("json-boolean")).toEqual(["true"]);
    expect(texts("json-null")).toEqual(["null"]);
    expect(texts("json-punct")).toContain("{}");
  });

  it("collapses and expands objects and arrays from the keyboard", async () => {
    const user = userEvent.setup();
    render(<JsonViewer value={VALUE} />);
    const items = screen.getByRole("button", { name: "Collapse value.items (2 items)" });
    expect(items.getAttribute("aria-expanded")).toBe("true");
    items.focus();
    await user.keyboard("{Enter}");
    const collapsed = screen.getByRole("button", { name: "Expand value.items (2 items)" });
    expect(collapsed.getAttribute("aria-expanded")).toBe("false");
    expect(screen.getByTestId("entry-value").textContent).toContain('"items": [… 2 items]');
    expect(screen.getByTestId("entry-value").textContent).not.toContain('"x"');
    await user.keyboard(" ");
    expect(screen.getByTestId("entry-value").textContent).toBe(JSON.stringify(VALUE, null, 2));
    expect(screen.getByRole("button", { name: "Collapse value.items[1] (1 key)" })).toBeTruthy();
    // The root collapses too, and an empty object has nothing to collapse.
    await user.click(screen.getByRole("button", { name: "Collapse value (6 keys)" }));
    expect(screen.getByTestId("entry-value").textContent).toBe("{… 6 keys}");
    expect(screen.queryByRole("button", { name: /value\.empty/ })).toBeNull();
  });

  it("copies the JSON text and says Copied", async () => {
    const user = userEvent.setup();
    const clipboard = stubClipboard(async () => {});
    render(<JsonViewer value={VALUE} />);
    await user.click(screen.getByRole("button", { name: "Copy value" }));
    expect(clipboard.writeText).toHaveBeenCalledWith(JSON.stringify(VALUE, null, 2));
    const status = within(screen.getByTestId("entry-value").parentElement!).getByRole("status");
    expect(status.textContent).toBe("Copied");
  });

  it("says so when the browser refuses the clipboard", async () => {
    const user = userEvent.setup();
    stubClipboard(async () => {
      throw new DOMException("Write permission denied.", "NotAllowedError");
    });
    render(<JsonViewer value="text" label="reference" />);
    await user.click(screen.getByRole("button", { name: "Copy reference" }));
    expect((await screen.findByRole("status")).textContent).toMatch(/^Could not copy: .*copy it instead\.$/);
  });
});
