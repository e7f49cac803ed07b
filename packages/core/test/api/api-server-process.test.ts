import { expect, it } from "vitest";
import { cliCreateTaskInstance } from "../support/cli-create-task-instance.js";
import { describeApiServerProcess } from "./support/api-server-process-suite.js";

/** Drives a real `tidemark` installation: CLI commands to set up, a spawned api-server to serve. */
describeApiServerProcess(
  "tidemark api-server process",
  { tempPrefix: "tidemark-api-process-" },
  (current) => {
    const { run } = current;

    it("serves the Execution API with tokens from `task-instances token`, then stops on SIGTERM", async () => {
      expect((await run("assets", "register", "--name", "orders", "--uri", "s3://data/orders/")).code).toBe(
        0,
      );
      const tiId = await cliCreateTaskInstance(run, { inlets: ["orders"] });
      const server = await current.startServer(["--host", "127.0.0.1", "--port", "0"]);
      expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const issued = await run("task-instances", "token", tiId, "--ttl", "10m");
      expect(issued.code).toBe(0);
      const token = issued.stdout.trim();
      expect(token.split(".")).toHaveLength(3);
      const base = `${server.origin}/execution`;
      const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
      const key = encodeURIComponent("page/1?#%");
      const put = await fetch(`${base}/store/ti/${tiId}/${key}`, {
        method: "PUT",
        headers,
        body: '{"value":{"cursor":7},"expires_at":null}',
      });
      expect(put.status).toBe(204);
      // A bodiless GET with Content-Type: application/json, as httpx-based clients send it.
      const got = await fetch(`${base}/store/ti/${tiId}/${key}`, { headers });
      expect(await got.json()).toEqual({ value: { cursor: 7 } });
      expect(got.headers.get("etag")).toBe('"1"');
      expect(got.headers.get("airflow-api-version")).toBe("2026-11-13");
      const asset = await fetch(`${base}/store/asset/by-name/value?name=orders&key=wm`, {
        method: "PUT",
        headers,
        body: '{"value":"2026"}',
      });
      expect(asset.status).toBe(204);
      const ti = await fetch(`${base}/task-instances/${tiId}`, { headers });
      expect(await ti.json()).toMatchObject({
        id: tiId,
        inlets: [{ name: "orders", uri: "s3://data/orders/" }],
      });
      const anonymous = await fetch(`${base}/store/ti/${tiId}/${key}`);
      expect(anonymous.status).toBe(401);
      const stopped = await server.stop("SIGTERM");
      expect(stopped).toEqual({ code: 0, signal: null });
      expect(server.stderr()).toContain("tidemark api-server stopped");
    });

    it("stops cleanly on SIGINT too", async () => {
      const server = await current.startServer(["--port", "0"]);
      expect(await server.stop("SIGINT")).toEqual({ code: 0, signal: null });
    });

    it("refuses tokens for unknown task instances, bad lifetimes and bad ports", async () => {
      const unknown = await run("task-instances", "token", "00000000-0000-4000-8000-000000000000");
      expect(unknown.code).not.toBe(0);
      expect(unknown.stderr).toMatch(/does not exist.*\[TASK_INSTANCE_NOT_FOUND\]/);
      const ttl = await run(
        "task-instances",
        "token",
        "00000000-0000-4000-8000-000000000000",
        "--ttl",
        "soon",
      );
      expect(ttl.stderr).toMatch(/duration "soon" is not valid/);
      const port = await run("api-server", "--port", "http");
      expect(port.code).not.toBe(0);
      expect(port.stderr).toMatch(/--port must be an integer/);
    });
  },
);
