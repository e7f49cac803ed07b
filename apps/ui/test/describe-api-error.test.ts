import { describe, expect, it } from "vitest";
import { ApiError } from "../src/api/api-error";
import { describeApiError, formatBytes } from "../src/api/describe-api-error";

const err = (status: number, code?: string, message?: string, currentVersion?: number) =>
  new ApiError(status, {
    ...(code ? { code } : {}),
    ...(message ? { message } : {}),
    ...(currentVersion !== undefined ? { currentVersion } : {}),
  });

describe("describeApiError", () => {
  it("words a failed If-Match (412) with both versions, and a vanished key", () => {
    const failed = err(412, "PRECONDITION_FAILED");
    expect(describeApiError(failed, { openedVersion: 3, currentVersion: 4 })).toBe(
      "This value changed since you opened it (version 3 → 4). Reload to see the new value.",
    );
    expect(describeApiError(failed, { key: "k", openedVersion: 3, currentVersion: null })).toBe(
      "The key “k” was deleted since you opened it. Reload to see the current state.",
    );
    expect(describeApiError(err(412, "PRECONDITION_FAILED", "x", 5), { openedVersion: 3 })).toBe(
      "This value changed since you opened it (version 3 → 5). Reload to see the new value.",
    );
    expect(describeApiError(failed)).toBe(
      "This value changed since you opened it. Reload to see the new value.",
    );
  });

  it("words 401, 404 (per code), a too-large value (413, or 422 VALUE_TOO_LARGE) with the limit, 400 and 422 with the server's reason", () => {
    expect(describeApiError(err(401))).toMatch(/did not accept your token/);
    expect(describeApiError(err(404, "TASK_INSTANCE_NOT_FOUND"))).toMatch(/task instance does not exist/);
    expect(describeApiError(err(404, "ASSET_NOT_FOUND"))).toMatch(/asset does not exist or is not active/);
    expect(describeApiError(err(404, "NOT_FOUND"), { key: "k" })).toMatch(
      /The key “k” does not exist \(anymore\)/,
    );
    expect(describeApiError(err(413, "VALUE_TOO_LARGE"), { maxValueBytes: 65536, valueBytes: 70000 })).toBe(
      "The value is too large to store (413). The server stores at most 64 KiB per value (state_store.max_value_storage_bytes); this value is 70,000 bytes. Store large data in object storage and keep only a reference in state.",
    );
    expect(
      describeApiError(err(422, "VALUE_TOO_LARGE", "value is 70002 bytes"), {
        maxValueBytes: 65535,
        valueBytes: 70002,
      }),
    ).toBe(
      "The value is too large to store (422). The server stores at most 65,535 bytes per value (state_store.max_value_storage_bytes); this value is 70,002 bytes. Store large data in object storage and keep only a reference in state.",
    );
    expect(describeApiError(err(400, "INVALID_VALUE", 'If-Match: "x" is malformed'))).toBe(
      'The server refused the input (400) (If-Match: "x" is malformed). Correct it and try again.',
    );
    expect(describeApiError(err(422, "INVALID_KEY", "key must be 1 to 512 characters."))).toBe(
      "The server refused the input (422) (key must be 1 to 512 characters). Correct it and try again.",
    );
    expect(describeApiError(new ApiError(0, {}))).toMatch(/Could not reach the Tidemark API server/);
    expect(describeApiError(err(503, undefined, "database is down"))).toMatch(
      /API server failed \(503\) \(database is down\)/,
    );
  });

  it("never prints JSON", () => {
    for (const status of [0, 400, 401, 403, 404, 409, 412, 413, 422, 500, 503]) {
      expect(describeApiError(err(status, "X", "m"))).not.toMatch(/[{}]/);
    }
  });
});

describe("formatBytes", () => {
  it("uses KiB and MiB only for exact multiples", () => {
    expect(formatBytes(512)).toBe("512 bytes");
    expect(formatBytes(65536)).toBe("64 KiB");
    expect(formatBytes(65535)).toBe("65,535 bytes");
    expect(formatBytes(2 * 1024 * 1024)).toBe("2 MiB");
  });
});
