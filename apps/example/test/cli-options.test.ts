import { describe, expect, it } from "vitest";
import { parseDemoOptions, UsageError } from "../src/cli-options.js";

describe("parseDemoOptions", () => {
  it("reads the options, ignoring the leading -- that pnpm passes through", () => {
    expect(parseDemoOptions(["--", "--days", "10", "--fail-once"], 90)).toEqual({
      days: 10,
      failOnce: true,
      serve: false,
      port: 0,
      help: false,
    });
    expect(parseDemoOptions([], 90)).toEqual({ failOnce: false, serve: false, port: 0, help: false });
    expect(parseDemoOptions(["--serve", "--port", "8123"], 90)).toMatchObject({ serve: true, port: 8123 });
    expect(parseDemoOptions(["--report-json", "r.json", "--warehouse", "w.db", "-h"], 90)).toMatchObject({
      reportJson: "r.json",
      warehouse: "w.db",
      help: true,
    });
  });

  it.each([["0"], ["91"], ["2.5"], ["ten"]])("refuses --days %s, naming the accepted range", (days) => {
    expect(() => parseDemoOptions(["--days", days], 90)).toThrow(/--days must be an integer from 1 to 90/);
  });

  it.each([["65536"], ["1.5"], ["http"]])("refuses --port %s, naming the accepted range", (port) => {
    expect(() => parseDemoOptions(["--serve", "--port", port], 90)).toThrow(
      /--port must be an integer from 0 to 65535/,
    );
  });

  it("refuses unknown options and positionals as usage errors", () => {
    expect(() => parseDemoOptions(["--dayz", "3"], 90)).toThrow(UsageError);
    expect(() => parseDemoOptions(["extra"], 90)).toThrow(UsageError);
  });
});
