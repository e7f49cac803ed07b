import { describe, expect, it } from "vitest";
import { errorCodeForHttpStatus, httpStatusOf, STATE_STORE_ERROR_CODES } from "../src/error-codes.js";
import { isStateStoreError, StateStoreError } from "../src/state-store-error.js";

describe("StateStoreError", () => {
  it("carries code, HTTP status, reason, details and cause", () => {
    const cause = new Error("connection refused");
    const e = new StateStoreError("BACKEND_UNAVAILABLE", "database down", { cause, details: { host: "h" } });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("StateStoreError");
    expect(e.code).toBe("BACKEND_UNAVAILABLE");
    expect(e.httpStatus).toBe(503);
    expect(e.reason).toBe("unavailable");
    expect(e.cause).toBe(cause);
    expect(e.details).toEqual({ host: "h" });
  });

  it("maps the wire statuses of the issue", () => {
    expect(
      (
        ["NOT_FOUND", "CONFLICT", "VALUE_TOO_LARGE", "INVALID_VALUE", "FORBIDDEN", "UNAUTHORIZED"] as const
      ).map(httpStatusOf),
    ).toEqual([404, 409, 413, 422, 403, 401]);
    for (const [code, info] of Object.entries(STATE_STORE_ERROR_CODES)) {
      if (
        info.httpStatus < 500 &&
        !code.endsWith("_NOT_FOUND") &&
        code !== "INVALID_KEY" &&
        code !== "INVALID_SCOPE"
      ) {
        expect(errorCodeForHttpStatus(info.httpStatus)).toBe(code);
      }
    }
  });

  it("recognises an error from a second copy of the package by its brand", () => {
    const foreign = new Error("from elsewhere") as Error & { code: string };
    foreign.code = "CONFLICT";
    Object.defineProperty(foreign, Symbol.for("@tidemark/state.StateStoreError"), { value: true });
    expect(isStateStoreError(foreign)).toBe(true);
    expect(isStateStoreError(foreign, "CONFLICT")).toBe(true);
    expect(isStateStoreError(foreign, "NOT_FOUND")).toBe(false);
    const unbranded = Object.assign(new Error("x"), { code: "CONFLICT" });
    expect(isStateStoreError(unbranded)).toBe(false);
    expect(isStateStoreError(null)).toBe(false);
  });
});
