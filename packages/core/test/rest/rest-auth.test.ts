import { loadConfig } from "@tidemark/config";
import { cleanEnv } from "@tidemark/testkit/process";
import { tempDir } from "@tidemark/testkit/temp-dir";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiServer } from "../../src/api/create-api-server.js";
import { assertAuthAllowedOnHost, isLoopbackHost, tokenMatches } from "../../src/api/rest/rest-auth.js";
import { requireBuilt } from "../support/built.js";
import { runTidemark } from "../support/run-tidemark.js";
import {
  type RestHarness,
  restErrorOf,
  startRestHarness,
  TEST_TOKEN,
  taskStatePath,
} from "./support/rest-harness.js";

describe("Core REST API authentication (api.auth = token)", () => {
  let h: RestHarness;
  beforeAll(async () => {
    h = await startRestHarness({ config: { api: { auth_tokens: ["first-token", TEST_TOKEN] } } });
    await h.api.taskInstance({ dagId: "auth_dag", runId: "r", taskId: "t" });
  });
  afterAll(() => h.close());

  const routes: [string, string][] = [
    ["GET", "/dags"],
    ["GET", "/dags/auth_dag/dagRuns"],
    ["GET", "/dags/auth_dag/dagRuns/r/taskInstances"],
    ["GET", "/assets"],
    ["GET", "/assets/by-name/x"],
    ["GET", taskStatePath("auth_dag", "r", "t")],
    ["DELETE", taskStatePath("auth_dag", "r", "t")],
    ["GET", taskStatePath("auth_dag", "r", "t", "k")],
    ["PUT", taskStatePath("auth_dag", "r", "t", "k")],
    ["PATCH", taskStatePath("auth_dag", "r", "t", "k")],
    ["DELETE", taskStatePath("auth_dag", "r", "t", "k")],
    ["GET", "/assets/1/state-store"],
    ["DELETE", "/assets/1/state-store"],
    ["GET", "/assets/1/state-store/k"],
    ["PUT", "/assets/1/state-store/k"],
    ["PATCH", "/assets/1/state-store/k"],
    ["DELETE", "/assets/1/state-store/k"],
  ];

  it("answers 401 on every route without a token, with a wrong one, or a malformed header — before validation", async () => {
    for (const [method, path] of routes) {
      const body = method === "PUT" || method === "PATCH" ? { value: 1 } : undefined;
      const missing = await h.rest(method, path, { token: null, body });
      expect(restErrorOf(missing, 401, "UNAUTHORIZED"), `${method} ${path}`).toContain("Authorization");
      expect(missing.status).toBe(401);
      const wrong = await h.rest(method, path, { token: "not-a-configured-token", body });
      expect(restErrorOf(wrong, 401, "UNAUTHORIZED")).toContain("api.auth_tokens");
      // Even an invalid body is 401 first: nothing about the request is evaluated without a token.
      if (body !== undefined) {
        restErrorOf(
          await h.rest(method, path, { token: `${TEST_TOKEN}x`, rawBody: "{" }),
          401,
          "UNAUTHORIZED",
        );
      }
    }
    const response = await fetch(`${h.origin}/api/v2/dags`, {
      headers: { authorization: `Basic ${TEST_TOKEN}` },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("accepts every configured token", async () => {
    expect((await h.rest("GET", "/dags", { token: "first-token" })).status).toBe(200);
    expect((await h.rest("GET", "/dags", { token: TEST_TOKEN })).status).toBe(200);
    expect((await h.rest("GET", "/dags", { token: "first" })).status).toBe(401);
  });

  it("needs no token for /config/ui and the OpenAPI document; an unknown route is 404, not 401", async () => {
    expect((await h.rest("GET", "/config/ui", { token: null })).body).toMatchObject({
      auth: "token",
      auth_tokens_configured: true,
    });
    expect((await h.rest("GET", "/openapi.json", { token: null })).status).toBe(200);
    restErrorOf(await h.rest("GET", "/no/such/route", { token: null }), 404, "ROUTE_NOT_FOUND");
  });

  it("counts only non-empty tokens as configured in /config/ui", async () => {
    const blank = await startRestHarness({ config: { api: { auth_tokens: [""] } } });
    try {
      expect((await blank.rest("GET", "/config/ui", { token: null })).body).toMatchObject({
        auth_tokens_configured: false,
      });
    } finally {
      await blank.close();
    }
  });

  it("refuses every request with a clear message when api.auth_tokens is empty", async () => {
    const empty = await startRestHarness({ config: { api: { auth_tokens: [] } } });
    try {
      expect(
        restErrorOf(await empty.rest("GET", "/dags", { token: "anything" }), 401, "UNAUTHORIZED"),
      ).toContain("api.auth_tokens is empty");
      // The UI reads this to tell the user that no token can work until one is configured.
      expect((await empty.rest("GET", "/config/ui", { token: null })).body).toMatchObject({
        auth: "token",
        auth_tokens_configured: false,
      });
    } finally {
      await empty.close();
    }
  });
});

describe("api.auth = none", () => {
  it("allows anonymous access on a loopback address and says so in /config/ui", async () => {
    const h = await startRestHarness({ config: { api: { auth: "none" } } });
    try {
      expect((await h.rest("GET", "/dags", { token: null })).status).toBe(200);
      expect((await h.rest("GET", "/config/ui", { token: null })).body).toMatchObject({
        auth: "none",
        auth_tokens_configured: false,
      });
    } finally {
      await h.close();
    }
  });

  it("isLoopbackHost knows loopback addresses", () => {
    for (const host of [
      "127.0.0.1",
      "127.1.2.3",
      "localhost",
      "LOCALHOST",
      "::1",
      "[::1]",
      "::ffff:127.0.0.1",
    ]) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of [
      "0.0.0.0",
      "::",
      "10.0.0.1",
      "192.168.1.2",
      "example.com",
      "128.0.0.1",
      "::ffff:10.0.0.1",
      "",
    ]) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
    expect(() => assertAuthAllowedOnHost("none", "0.0.0.0")).toThrow(/loopback/);
    expect(() => assertAuthAllowedOnHost("token", "0.0.0.0")).not.toThrow();
    expect(() => assertAuthAllowedOnHost("none", "127.0.0.1")).not.toThrow();
  });

  it("createApiServer refuses to listen on 0.0.0.0 with auth none, and listens there with tokens", async () => {
    const dir = tempDir("tidemark-rest-auth-");
    try {
      for (const auth of ["none", "token"] as const) {
        const config = loadConfig({
          cwd: dir.path,
          env: {},
          overrides: { database: { url: `sqlite:///${dir.path}/t.db` }, api: { auth, auth_tokens: ["t"] } },
        });
        const server = await createApiServer({ config, cwd: dir.path, logger: false });
        try {
          if (auth === "none") {
            await expect(server.listen({ host: "0.0.0.0", port: 0 })).rejects.toMatchObject({
              code: "CONFIG_ERROR",
            });
          } else {
            expect(await server.listen({ host: "0.0.0.0", port: 0 })).toMatch(/^http:/);
          }
        } finally {
          await server.close();
        }
      }
    } finally {
      dir.remove();
    }
  });

  it("tidemark api-server --host 0.0.0.0 with auth none refuses to start, saying why and what to do", async () => {
    requireBuilt();
    const dir = tempDir("tidemark-rest-auth-");
    try {
      const result = await runTidemark(["api-server", "--host", "0.0.0.0", "--port", "0"], {
        cwd: dir.path,
        env: cleanEnv({ TIDEMARK__DATABASE__URL: `sqlite:///${dir.path}/t.db`, TIDEMARK__API__AUTH: "none" }),
      });
      expect(result.code).not.toBe(0);
      expect(result.stdout).not.toContain("listening");
      expect(result.stderr).toContain('refusing to bind 0.0.0.0 with api.auth = "none"');
      expect(result.stderr).toContain("--host 127.0.0.1");
      expect(result.stderr).toContain("api.auth_tokens");
      expect(result.stderr).toContain("[CONFIG_ERROR]");
    } finally {
      dir.remove();
    }
  });
});

describe("tokenMatches", () => {
  it("compares against every token, whatever the lengths", async () => {
    const { createHash } = await import("node:crypto");
    const digests = ["a", "bb", "a-much-longer-token"].map((t) => createHash("sha256").update(t).digest());
    expect(tokenMatches("bb", digests)).toBe(true);
    expect(tokenMatches("a-much-longer-token", digests)).toBe(true);
    expect(tokenMatches("b", digests)).toBe(false);
    expect(tokenMatches("", digests)).toBe(false);
    expect(tokenMatches("a", [])).toBe(false);
  });
});
