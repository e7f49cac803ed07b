import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ExecutionApiClient, type ExecutionApiRetryMetric } from "../src/index.js";
import { retryAfterMs } from "../src/retry-after.js";
import { type RecordingServer, startRecordingServer } from "./support/recording-server.js";

const TI = "0195f3a0-0000-7000-8000-000000000001";
const SHED = {
  status: 503,
  body: { detail: { reason: "unavailable", message: "overloaded", code: "BACKEND_UNAVAILABLE" } },
};

describe("the client honours Retry-After on 5xx answers", () => {
  let server: RecordingServer;
  let slept: number[];
  let retries: ExecutionApiRetryMetric[];
  const client = (retry: Record<string, number> = {}) =>
    new ExecutionApiClient({
      baseUrl: server.baseUrl,
      token: "t",
      retry: { attempts: 3, initialDelayMs: 40, maxDelayMs: 80, ...retry },
      sleep: async (ms) => {
        slept.push(ms);
      },
      metrics: { retry: (m) => retries.push(m) },
    });

  beforeEach(async () => {
    server = await startRecordingServer();
    slept = [];
    retries = [];
  });
  afterEach(() => server.close());

  it("waits the seconds a 503 asks for instead of the shorter backoff, then succeeds", async () => {
    server.script.push({ ...SHED, headers: { "retry-after": "3" } }, { status: 200, body: { value: 1 } });
    expect(await client().getTaskState(TI, "k")).toEqual({ value: 1, version: null });
    expect(slept).toEqual([3000]);
    expect(retries).toEqual([
      {
        method: "GET",
        route: "/store/ti/{ti_id}/{key}",
        operation: "get_task_state",
        reason: "server_error",
        status: 503,
        attempt: 1,
        delayMs: 3000,
        retryAfter: true,
      },
    ]);
    expect(server.requests).toHaveLength(2);
  });

  it("reads an HTTP-date Retry-After", async () => {
    const when = new Date(Date.now() + 20_000).toUTCString();
    server.script.push({ ...SHED, headers: { "retry-after": when } }, { status: 204 });
    await client().setTaskState(TI, "k", 1, { expiresAt: null });
    expect(slept).toHaveLength(1);
    expect(slept[0]).toBeGreaterThan(10_000);
    expect(slept[0]).toBeLessThanOrEqual(20_000);
  });

  it("caps a long Retry-After at retry.maxRetryAfterMs, and keeps the backoff when the header is absent or shorter", async () => {
    server.script.push(
      { ...SHED, headers: { "retry-after": "600" } },
      { ...SHED },
      { status: 502, headers: { "retry-after": "0" } },
    );
    await expect(client({ maxRetryAfterMs: 30_000 }).getTaskState(TI, "k")).rejects.toMatchObject({
      code: "BACKEND_UNAVAILABLE",
    });
    expect(slept[0]).toBe(30_000);
    expect(slept[1]).toBeGreaterThanOrEqual(40);
    expect(slept[1]).toBeLessThanOrEqual(80);
    expect(retries.map((r) => r.retryAfter)).toEqual([true, false]);
  });

  it("does not repeat a conditional write on a 503, even with Retry-After: it may have committed", async () => {
    server.script.push({ ...SHED, headers: { "retry-after": "1" } });
    await expect(
      client().setTaskState(TI, "k", 1, { expiresAt: null, ifAbsent: true }),
    ).rejects.toMatchObject({
      code: "BACKEND_UNAVAILABLE",
    });
    expect(slept).toEqual([]);
    expect(server.requests.filter((r) => r.method === "PUT")).toHaveLength(1);
  });
});

describe("retryAfterMs", () => {
  it("reads delta-seconds and HTTP dates, and ignores what is neither", () => {
    const now = Date.parse("2026-05-14T12:00:00Z");
    expect(retryAfterMs("5", now)).toBe(5000);
    expect(retryAfterMs(" 0 ", now)).toBe(0);
    expect(retryAfterMs("Thu, 14 May 2026 12:00:30 GMT", now)).toBe(30_000);
    expect(retryAfterMs("Thu, 14 May 2026 11:00:00 GMT", now)).toBe(0);
    expect(retryAfterMs("soon", now)).toBeUndefined();
    expect(retryAfterMs("-3", now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});
