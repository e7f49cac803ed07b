import { expect, it } from "vitest";
import { cliCreateTaskInstance } from "../support/cli-create-task-instance.js";
import { describeApiServerProcess } from "./support/api-server-process-suite.js";

const SECRET_KEY = "sk-Zq8rT4wLm2Vx9Kp6Yc3Hn7Bd5Fg1Js0Ua";
const REST_TOKEN = "rest-tok-Qm4Wz8Rt2Lp6Xv";
const METRICS_TOKEN = "metrics-tok-Hy7Nc3Kb9Df1";
const WRONG_TOKEN = "wrong-tok-Pz5Tg8Jm2Wq4";
const SECRET_VALUE = "s3cr3t-VALUE-Aa7Bb9Cc2Dd";
const REST_SECRET_VALUE = "rest-s3cr3t-VALUE-Ee4Ff6Gg8";

describeApiServerProcess(
  "tidemark api-server at logging.level = trace never logs tokens, the secret key or values",
  {
    tempPrefix: "tidemark-secrets-",
    env: {
      TIDEMARK__LOGGING__LEVEL: "trace",
      TIDEMARK__API__SECRET_KEY: SECRET_KEY,
      TIDEMARK__API__AUTH_TOKENS: REST_TOKEN,
      TIDEMARK__API__METRICS_TOKEN: METRICS_TOKEN,
      TIDEMARK__STATE_STORE__MAX_VALUE_STORAGE_BYTES: "256",
    },
  },
  (current) => {
    const { run } = current;

    it("writes, reads and fails requests on both APIs; the log has request ids and ti_id, none of the secrets", async () => {
      const tiId = await cliCreateTaskInstance(run);
      const issued = await run("task-instances", "token", tiId, "--ttl", "10m");
      expect(issued.code, issued.stderr).toBe(0);
      const taskToken = issued.stdout.trim();
      const server = await current.startServer(["--host", "127.0.0.1", "--port", "0"]);
      const exec = `${server.origin}/execution/store/ti/${tiId}`;
      const rest = `${server.origin}/api/v2/dags/d/dagRuns/r/taskInstances/t/state-store`;
      const task = { authorization: `Bearer ${taskToken}`, "content-type": "application/json" };
      const admin = { authorization: `Bearer ${REST_TOKEN}`, "content-type": "application/json" };
      const requests: { id: string; url: string; init: RequestInit; status: number }[] = [
        {
          id: "req-exec-put",
          url: `${exec}/api-key`,
          init: {
            method: "PUT",
            headers: task,
            body: JSON.stringify({ value: SECRET_VALUE, expires_at: null }),
          },
          status: 204,
        },
        { id: "req-exec-get", url: `${exec}/api-key`, init: { headers: task }, status: 200 },
        {
          id: "req-exec-bad-token",
          url: `${exec}/api-key`,
          init: { headers: { authorization: `Bearer ${WRONG_TOKEN}` } },
          status: 401,
        },
        {
          id: "req-exec-413",
          url: `${exec}/big`,
          init: {
            method: "PUT",
            headers: task,
            body: JSON.stringify({ value: SECRET_VALUE.repeat(20), expires_at: null }),
          },
          status: 413,
        },
        {
          id: "req-exec-422",
          url: `${exec}/broken`,
          init: { method: "PUT", headers: task, body: `{"value": ${SECRET_VALUE}}` },
          status: 422,
        },
        {
          id: "req-exec-422-field",
          url: `${exec}/extra`,
          init: {
            method: "PUT",
            headers: task,
            body: JSON.stringify({ value: 1, expires_at: null, extra: SECRET_VALUE }),
          },
          status: 422,
        },
        {
          id: "req-exec-conflict",
          url: `${exec}/api-key`,
          init: {
            method: "PUT",
            headers: { ...task, "if-none-match": "*" },
            body: JSON.stringify({ value: SECRET_VALUE, expires_at: null }),
          },
          status: 412,
        },
        {
          id: "req-rest-put",
          url: `${rest}/db-password`,
          init: {
            method: "PUT",
            headers: admin,
            body: JSON.stringify({ value: REST_SECRET_VALUE, expires_at: null }),
          },
          status: 204,
        },
        { id: "req-rest-get", url: `${rest}/db-password`, init: { headers: admin }, status: 200 },
        {
          id: "req-rest-bad-token",
          url: `${rest}/db-password`,
          init: { headers: { authorization: `Bearer ${WRONG_TOKEN}` } },
          status: 401,
        },
        {
          id: "req-rest-conflict",
          url: `${rest}/db-password`,
          init: {
            method: "PUT",
            headers: { ...admin, "if-none-match": "*" },
            body: JSON.stringify({ value: REST_SECRET_VALUE, expires_at: null }),
          },
          status: 412,
        },
        {
          id: "req-rest-422",
          url: `${rest}/db-password`,
          init: { method: "PUT", headers: admin, body: `{"value": ${REST_SECRET_VALUE}}` },
          status: 422,
        },
        {
          id: "req-metrics",
          url: `${server.origin}/metrics`,
          init: { headers: { authorization: `Bearer ${METRICS_TOKEN}`, cookie: `session=${METRICS_TOKEN}` } },
          status: 0,
        },
      ];
      for (const { id, url, init, status } of requests) {
        const answer = await fetch(url, {
          ...init,
          headers: { ...(init.headers as Record<string, string>), "x-request-id": id },
        });
        const text = await answer.text();
        if (status !== 0) expect(answer.status, `${id}: ${text}`).toBe(status);
        expect(answer.headers.get("x-request-id"), id).toBe(id);
        if (id !== "req-exec-get" && id !== "req-rest-get") {
          expect(text, id).not.toContain(SECRET_VALUE);
          expect(text, id).not.toContain(REST_SECRET_VALUE);
        }
      }
      expect(await server.stop("SIGTERM")).toEqual({ code: 0, signal: null });
      const output = server.stderr() + server.stdout();
      for (const secret of [
        SECRET_KEY,
        taskToken,
        REST_TOKEN,
        METRICS_TOKEN,
        WRONG_TOKEN,
        SECRET_VALUE,
        REST_SECRET_VALUE,
      ]) {
        expect(output.includes(secret), `the server's output contains ${secret.slice(0, 12)}…`).toBe(false);
      }
      // The token's signature alone (its most secret part) is not there either.
      expect(output).not.toContain(taskToken.split(".")[2] as string);
      for (const { id } of requests) expect(output, id).toContain(`"reqId":"${id}"`);
      expect(output).toContain(`"ti_id":"${tiId}"`);
      // Debug lines (the 4xx messages) are written: the level really is below info.
      expect(output).toContain('"level":20');
    });
  },
);
