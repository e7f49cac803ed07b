import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { loadConfig } from "@tidemark/config";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, createApiServer } from "../../src/api/create-api-server.js";
import { issueTaskToken, issueWatcherToken } from "../../src/api/execution-tokens.js";
import { MAX_REQUEST_ID_LENGTH, requestIdOf } from "../../src/api/request-id.js";
import { createTaskInstance, registerAsset } from "../../src/index.js";

type LogLine = Record<string, unknown> & { reqId?: string; msg?: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("request ids and who made a request, in answers and log lines", () => {
  let dir: string;
  let server: ApiServer;
  let origin: string;
  let tiId: string;
  let taskToken: string;
  const lines: LogLine[] = [];
  const linesOf = (reqId: string) => lines.filter((l) => l.reqId === reqId);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "tidemark-request-logging-"));
    const config = loadConfig({
      cwd: dir,
      env: {},
      overrides: {
        database: { url: `sqlite://${join(dir, "tidemark.db")}` },
        state_store: { max_value_storage_bytes: 64 },
        api: { auth_tokens: ["rest-token-for-tests"] },
      },
    });
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const text of String(chunk).split("\n")) if (text !== "") lines.push(JSON.parse(text));
        done();
      },
    });
    server = await createApiServer({ config, cwd: dir, logger: pino({ level: "trace" }, sink) });
    origin = await server.listen({ host: "127.0.0.1", port: 0 });
    await registerAsset(server.database, { name: "orders" });
    const ti = await createTaskInstance(server.database, {
      dagId: "d",
      runId: "r",
      taskId: "t",
      mapIndex: -1,
      inlets: ["orders"],
      outlets: [],
    });
    tiId = ti.id;
    taskToken = await issueTaskToken({ key: server.secretKey.key, taskInstanceId: tiId });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps a well-formed X-Request-Id and replaces a malformed or overlong one with a UUID", () => {
    const of = (value: string | undefined) =>
      requestIdOf({ headers: value === undefined ? {} : { "x-request-id": value } } as never);
    expect(of("req-7f3a/2.b:c+d=e_f")).toBe("req-7f3a/2.b:c+d=e_f");
    expect(of("a".repeat(MAX_REQUEST_ID_LENGTH))).toBe("a".repeat(MAX_REQUEST_ID_LENGTH));
    expect(of("a".repeat(MAX_REQUEST_ID_LENGTH + 1))).toMatch(UUID);
    expect(of('bad id"\n{}')).toMatch(UUID);
    expect(of("")).toMatch(UUID);
    expect(of(undefined)).toMatch(UUID);
  });

  it("echoes the id on successes and on every kind of error, and every log line of the request carries it", async () => {
    const headers = { authorization: `Bearer ${taskToken}`, "content-type": "application/json" };
    const cases: { id: string; status: number; init: RequestInit & { url: string } }[] = [
      {
        id: "ok-1",
        status: 204,
        init: {
          url: `/execution/store/ti/${tiId}/k`,
          method: "PUT",
          headers,
          body: '{"value":1,"expires_at":null}',
        },
      },
      { id: "unauthorized-1", status: 401, init: { url: `/execution/store/ti/${tiId}/k` } },
      { id: "unknown-route-1", status: 404, init: { url: "/nowhere" } },
      {
        id: "too-large-1",
        status: 413,
        init: {
          url: `/execution/store/ti/${tiId}/k`,
          method: "PUT",
          headers,
          body: JSON.stringify({ value: "x".repeat(100), expires_at: null }),
        },
      },
      {
        id: "invalid-1",
        status: 422,
        init: { url: `/execution/store/ti/${tiId}/k`, method: "PUT", headers, body: '{"value": nope}' },
      },
      { id: "rest-401", status: 401, init: { url: "/api/v2/assets" } },
    ];
    for (const { id, status, init } of cases) {
      const answer = await fetch(`${origin}${init.url}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), "x-request-id": id },
      });
      await answer.body?.cancel();
      expect(answer.status, id).toBe(status);
      expect(answer.headers.get("x-request-id"), id).toBe(id);
      const own = linesOf(id);
      expect(
        own.map((l) => l.msg),
        id,
      ).toEqual(expect.arrayContaining(["incoming request", "request completed"]));
    }
    const generated = await fetch(`${origin}/execution/tidemark/extensions`);
    expect(generated.headers.get("x-request-id")).toMatch(UUID);
    expect(linesOf(generated.headers.get("x-request-id") as string).length).toBeGreaterThan(0);
  });

  it("adds ti_id to a task token's lines once the token is verified, watcher_id to a watcher's", async () => {
    const task = await fetch(`${origin}/execution/store/ti/${tiId}/missing`, {
      headers: { authorization: `Bearer ${taskToken}`, "x-request-id": "task-read-1" },
    });
    expect(task.status).toBe(404);
    const taskLines = linesOf("task-read-1");
    expect(taskLines.find((l) => l.msg === "incoming request")?.ti_id).toBeUndefined();
    expect(taskLines.find((l) => l.msg === "request completed")?.ti_id).toBe(tiId);
    expect(taskLines.filter((l) => l.code === "NOT_FOUND").map((l) => l.ti_id)).toEqual([tiId]);

    const watcher = await issueWatcherToken({
      key: server.secretKey.key,
      watcherId: "orders-sensor",
      assets: [{ name: "orders" }],
    });
    const read = await fetch(`${origin}/execution/store/asset/by-name/value?name=orders&key=wm`, {
      headers: { authorization: `Bearer ${watcher}`, "x-request-id": "watcher-read-1" },
    });
    expect(read.status).toBe(404);
    const watcherLines = linesOf("watcher-read-1");
    expect(watcherLines.find((l) => l.msg === "request completed")).toMatchObject({
      watcher_id: "orders-sensor",
    });
    expect(watcherLines.some((l) => "ti_id" in l)).toBe(false);
  });
});
