import { describe, expect, it } from "vitest";
import { checkPage, DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from "../src/page-request.js";
import { StateStoreError } from "../src/state-store-error.js";

describe("checkPage", () => {
  it("defaults to the first page of 100 and accepts 0 to 1,000", () => {
    expect(checkPage({})).toEqual({ limit: DEFAULT_PAGE_LIMIT, offset: 0 });
    expect(checkPage({ limit: undefined, offset: undefined })).toEqual({ limit: 100, offset: 0 });
    expect(checkPage({ limit: 0, offset: 7 })).toEqual({ limit: 0, offset: 7 });
    expect(checkPage({ limit: MAX_PAGE_LIMIT })).toEqual({ limit: 1000, offset: 0 });
  });

  it.each([
    [{ limit: 1001 }, "limit"],
    [{ limit: -1 }, "limit"],
    [{ limit: 1.5 }, "limit"],
    [{ limit: Number.NaN }, "limit"],
    [{ offset: -1 }, "offset"],
    [{ offset: 0.5 }, "offset"],
  ])("refuses %j naming the field", (request, field) => {
    expect(() => checkPage(request)).toThrow(StateStoreError);
    try {
      checkPage(request);
    } catch (error) {
      expect((error as StateStoreError).code).toBe("INVALID_VALUE");
      expect((error as StateStoreError).details).toEqual({ field });
    }
  });
});
