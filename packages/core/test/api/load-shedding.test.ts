import { setTimeout as pause } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { LOAD_SHEDDING_EXEMPT_PATHS } from "../../src/api/load-shedding.js";
import { type ApiHarness, errorOf, startApiHarness } from "./support/api-harness.js";

/** Polls `url` until its answer satisfies `done` (under-pressure samples once a second), or fails. */
async function until(url: string, done: (answer: Response) => boolean, what: string): Promise<Response> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const answer = await fetch(url);
    if (done(answer)) return answer;
    await answer.body?.cancel();
    await pause(25);
  }
  throw new Error(`timed out waiting until ${what}`);
}

/** Blocks this process's event loop (the server's: it runs in-process) for `ms` milliseconds. */
function blockEventLoop(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy: nothing else runs
  }
}

describe("load shedding (api.max_heap_used_bytes, api.max_event_loop_delay_ms)", () => {
  const harnesses: ApiHarness[] = [];
  const start = async (api: Record<string, number>) => {
    const h = await startApiHarness({ config: { api: { auth: "none", ...api } } });
    harnesses.push(h);
    return h;
  };
  afterEach(async () => {
    for (const h of harnesses.splice(0)) await h.close();
  });

  it("answers 503 with Retry-After in each API's error shape, naming the crossed limit and how to raise it", async () => {
    const h = await start({ max_heap_used_bytes: 1, shed_retry_after_seconds: 7 });
    const origin = h.baseUrl.replace(/\/execution$/, "");
    const shed = await until(`${h.baseUrl}/tidemark/extensions`, (a) => a.status === 503, "it sheds");
    expect(shed.headers.get("retry-after")).toBe("7");
    expect(shed.headers.get("tidemark-error-code")).toBe("BACKEND_UNAVAILABLE");
    expect(shed.headers.get("x-request-id")).not.toBeNull();
    const text = await shed.text();
    const message = errorOf(
      { status: shed.status, body: JSON.parse(text), text, headers: shed.headers },
      503,
      "BACKEND_UNAVAILABLE",
    );
    expect(message).toMatch(/the V8 heap in use \(\d+ bytes\) is over api\.max_heap_used_bytes = 1 bytes/);
    expect(message).toMatch(/retry after 7 s.*raise api\.max_heap_used_bytes \(0 turns the check off\)/);

    const rest = await fetch(`${origin}/api/v2/assets`);
    expect(rest.status).toBe(503);
    expect(rest.headers.get("retry-after")).toBe("7");
    const body = (await rest.json()) as { detail: unknown };
    expect(typeof body.detail).toBe("string");
    expect(body.detail).toMatch(/api\.max_heap_used_bytes/);

    const task = await fetch(`${h.baseUrl}/store/ti/0195f3a0-0000-7000-8000-000000000001/k`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: '{"value":1}',
    });
    expect(task.status).toBe(503);
    await task.body?.cancel();
  });

  it("never sheds the health, readiness and metrics routes: they answer as on a server without limits", async () => {
    const shedding = await start({ max_heap_used_bytes: 1 });
    const plain = await start({});
    await until(`${shedding.baseUrl}/tidemark/extensions`, (a) => a.status === 503, "it sheds");
    for (const path of LOAD_SHEDDING_EXEMPT_PATHS) {
      const unlimited = await fetch(`${plain.baseUrl.replace(/\/execution$/, "")}${path}`);
      await unlimited.body?.cancel();
      const answer = await fetch(`${shedding.baseUrl.replace(/\/execution$/, "")}${path}`);
      await answer.body?.cancel();
      expect(answer.status, path).not.toBe(503);
      expect(answer.status, path).toBe(unlimited.status);
      expect(answer.status, path).toBe(200);
    }
  });

  it("sheds while the event loop is blocked past api.max_event_loop_delay_ms, and serves again once it is not", async () => {
    const h = await start({ max_event_loop_delay_ms: 10, shed_retry_after_seconds: 2 });
    const url = `${h.baseUrl}/tidemark/extensions`;
    // A fresh server serves (nothing blocked it yet).
    await until(url, (a) => a.status === 200, "the fresh server serves");
    blockEventLoop(3000);
    const shed = await until(url, (a) => a.status === 503, "it sheds after the block");
    expect(shed.headers.get("retry-after")).toBe("2");
    const body = (await shed.json()) as { detail: { message: string } };
    expect(body.detail.message).toMatch(
      /the event-loop delay \((\d+ ms|blocked through a whole sample)\) is over api\.max_event_loop_delay_ms = 10 ms/,
    );
    await until(url, (a) => a.status === 200, "it serves again once the loop is free");
  });

  it("sheds nothing with both limits at 0 (the default)", async () => {
    const h = await start({});
    expect(h.server.app.hasDecorator("isUnderPressure")).toBe(false);
    const answer = await fetch(`${h.baseUrl}/tidemark/extensions`);
    expect(answer.status).toBe(200);
    await answer.body?.cancel();
  });
});
