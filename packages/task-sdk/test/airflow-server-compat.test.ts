import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { isStateStoreError } from "@tidemark/state";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExecutionApiClient } from "../src/index.js";

const TI = "0b7e9a52-4c1d-4f0e-9a3b-5d2c1e0f9a11";

/**
 * A tiny stand-in for Airflow's Execution API task state routes: Airflow's shapes only (`{"value"}`, 204,
 * `{"detail": {"reason", "message"}}`, FastAPI's `{"detail": "Not Found"}` for unknown routes), no ETag
 * and no Tidemark header.
 */
async function startAirflowLikeServer() {
  const rows = new Map<string, string>();
  const seen: { method: string; url: string }[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "" });
      const json = (status: number, body: unknown) =>
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      const m = /^\/execution\/store\/ti\/([^/]+)\/(.+)$/.exec(req.url ?? "");
      if (m === null || m[1] !== TI) return json(404, { detail: "Not Found" });
      const key = decodeURIComponent(m[2] as string);
      if (req.method === "GET") {
        const value = rows.get(key);
        if (value === undefined) {
          return json(404, {
            detail: { reason: "not_found", message: `Task state store key '${key}' not found` },
          });
        }
        return json(200, { value: JSON.parse(value) });
      }
      if (req.method === "PUT") {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
        const extra = Object.keys(body).filter((k) => k !== "value" && k !== "expires_at");
        if (extra.length > 0 || (body.expires_at !== null && typeof body.expires_at !== "string")) {
          return json(422, { detail: [{ type: "extra_forbidden", loc: ["body", extra[0]] }] });
        }
        rows.set(key, JSON.stringify(body.value));
        return res.writeHead(204).end();
      }
      if (req.method === "DELETE") {
        rows.delete(key);
        return res.writeHead(204).end();
      }
      return json(405, { detail: "Method Not Allowed" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/execution`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("ExecutionApiClient against a plain Airflow-shaped Execution API", () => {
  let airflow: Awaited<ReturnType<typeof startAirflowLikeServer>>;
  let client: ExecutionApiClient;
  beforeAll(async () => {
    airflow = await startAirflowLikeServer();
    client = new ExecutionApiClient({ baseUrl: airflow.baseUrl, token: "t", retry: { attempts: 1 } });
  });
  afterAll(() => airflow.close());

  it("gets, sets and deletes with Airflow's shapes; versions are null without an ETag", async () => {
    await client.setTaskState(TI, "job/id", { app: 1 }, { expiresAt: new Date("2099-01-01T00:00:00Z") });
    await client.setTaskState(TI, "forever", "x", { expiresAt: null });
    expect(await client.getTaskState(TI, "job/id")).toEqual({ value: { app: 1 }, version: null });
    await client.deleteTaskState(TI, "job/id");
    const missing = await client.getTaskState(TI, "job/id").catch((e) => e);
    expect(isStateStoreError(missing, "NOT_FOUND")).toBe(true);
    expect(missing.message).toBe("Task state store key 'job/id' not found");
  });

  it("refuses compare-and-set with NOT_SUPPORTED before sending any state request", async () => {
    const fresh = new ExecutionApiClient({ baseUrl: airflow.baseUrl, token: "t", retry: { attempts: 1 } });
    const before = airflow.seen.length;
    for (const request of [
      { expiresAt: null, ifVersion: 1 },
      { expiresAt: null, ifAbsent: true },
    ] as const) {
      const error = await fresh.setTaskState(TI, "k", 1, request).catch((e) => e);
      expect(isStateStoreError(error, "NOT_SUPPORTED")).toBe(true);
      expect(error.message).toMatch(/conditional-requests/);
    }
    const cad = await fresh.deleteTaskState(TI, "k", { ifVersion: 1 }).catch((e) => e);
    expect(isStateStoreError(cad, "NOT_SUPPORTED")).toBe(true);
    // At most the one discovery request (answered 404 by Airflow), never a state request.
    expect(airflow.seen.slice(before).map((r) => r.url)).toEqual(["/execution/tidemark/extensions"]);
    const learned = airflow.seen.length;
    const known = await client.setTaskState(TI, "k", 1, { expiresAt: null, ifAbsent: true }).catch((e) => e);
    expect(isStateStoreError(known, "NOT_SUPPORTED")).toBe(true);
    expect(airflow.seen.length).toBe(learned);
  });
});
