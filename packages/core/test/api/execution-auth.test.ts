import { randomUUID } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "@tidemark/config";
import { isStateStoreError } from "@tidemark/state";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXECUTION_TOKEN_AUDIENCE, issueTaskToken } from "../../src/api/execution-tokens.js";
import { resolveSecretKey } from "../../src/api/secret-key.js";
import { getAssetByName } from "../../src/metadata/assets.js";
import type { TaskInstanceRecord } from "../../src/metadata/task-instance-record.js";
import { MetastoreBackend } from "../../src/metastore/metastore-backend.js";
import { type ApiHarness, errorOf, startApiHarness } from "./support/api-harness.js";

describe("Execution API authentication and authorization", () => {
  let h: ApiHarness;
  let a: TaskInstanceRecord;
  let b: TaskInstanceRecord;
  let tokenA: string;

  beforeAll(async () => {
    h = await startApiHarness();
    await h.asset("orders", "s3://data/orders/");
    await h.asset("customers", "s3://data/customers/");
    await h.asset("secret", "s3://data/secret/");
    a = await h.taskInstance({ taskId: "a", inlets: ["orders"], outlets: ["customers"] });
    b = await h.taskInstance({ taskId: "b" });
    tokenA = await h.token(a.id);
  });
  afterAll(() => h.close());

  const routesOf = (tiId: string) =>
    [
      ["GET", `/task-instances/${tiId}`, undefined],
      ["PATCH", `/task-instances/${tiId}/state`, { state: "running" }],
      ["GET", `/store/ti/${tiId}/k`, undefined],
      ["PUT", `/store/ti/${tiId}/k`, { value: 1, expires_at: null }],
      ["DELETE", `/store/ti/${tiId}/k`, undefined],
      ["DELETE", `/store/ti/${tiId}`, undefined],
      ["GET", "/store/asset/by-name/value?name=orders&key=k", undefined],
      ["PUT", "/store/asset/by-uri/value?uri=s3%3A%2F%2Fdata%2Forders%2F&key=k", { value: 1 }],
      ["DELETE", "/store/asset/by-name/value?name=orders&key=k", undefined],
      ["DELETE", "/store/asset/by-uri/clear?uri=s3%3A%2F%2Fdata%2Forders%2F", undefined],
    ] as const;

  it("answers 401 on every route without a token", async () => {
    for (const [method, path, body] of routesOf(a.id)) {
      const message = errorOf(await h.call(method, path, { token: null, body }), 401, "UNAUTHORIZED");
      expect(message).toMatch(/Authorization/);
    }
  });

  it("answers 401 for a header that is not a bearer token, and for malformed tokens", async () => {
    const basic = await fetch(`${h.baseUrl}/task-instances/${a.id}`, {
      headers: { authorization: "Basic dTpw" },
    });
    expect(basic.status).toBe(401);
    for (const token of ["garbage", "a.b.c", `${tokenA}x.y`]) {
      errorOf(await h.call("GET", `/task-instances/${a.id}`, { token }), 401, "UNAUTHORIZED");
    }
  });

  it("answers 401 for a tampered token", async () => {
    const [header, payload, signature] = tokenA.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: b.id })).toString("base64url");
    const message = errorOf(
      await h.call("GET", `/task-instances/${b.id}`, { token: `${header}.${forged}.${signature}` }),
      401,
      "UNAUTHORIZED",
    );
    expect(message).toMatch(/signature is invalid/);
    const flipped = `${signature.slice(0, -2)}${signature.endsWith("AA") ? "BB" : "AA"}`;
    errorOf(
      await h.call("GET", `/task-instances/${a.id}`, { token: `${header}.${payload}.${flipped}` }),
      401,
      "UNAUTHORIZED",
    );
  });

  it("answers 401 for an expired token", async () => {
    const expired = await h.token(a.id, { ttlSeconds: 60, now: new Date(Date.now() - 3_600_000) });
    const message = errorOf(
      await h.call("GET", `/task-instances/${a.id}`, { token: expired }),
      401,
      "UNAUTHORIZED",
    );
    expect(message).toMatch(/expired/);
  });

  it("answers 401 for tokens signed with another key, with alg none, or of an unknown kind", async () => {
    const other = await issueTaskToken({
      key: new TextEncoder().encode("x".repeat(40)),
      taskInstanceId: a.id,
    });
    errorOf(await h.call("GET", `/task-instances/${a.id}`, { token: other }), 401, "UNAUTHORIZED");
    const none = [
      Buffer.from('{"alg":"none","typ":"JWT"}').toString("base64url"),
      Buffer.from(
        JSON.stringify({ sub: a.id, kind: "task", aud: EXECUTION_TOKEN_AUDIENCE, exp: 9e9 }),
      ).toString("base64url"),
      "",
    ].join(".");
    errorOf(await h.call("GET", `/task-instances/${a.id}`, { token: none }), 401, "UNAUTHORIZED");
    const admin = await new SignJWT({ kind: "admin" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(a.id)
      .setAudience(EXECUTION_TOKEN_AUDIENCE)
      .setExpirationTime("1h")
      .sign(h.server.secretKey.key);
    expect(
      errorOf(await h.call("GET", `/task-instances/${a.id}`, { token: admin }), 401, "UNAUTHORIZED"),
    ).toMatch(/kind/);
    const noAudience = await new SignJWT({ kind: "task" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(a.id)
      .setExpirationTime("1h")
      .sign(h.server.secretKey.key);
    errorOf(await h.call("GET", `/task-instances/${a.id}`, { token: noAudience }), 401, "UNAUTHORIZED");
  });

  it("answers 403 when a task instance's token is used on another task instance's routes", async () => {
    for (const [method, path, body] of routesOf(b.id).slice(0, 6)) {
      const message = errorOf(await h.call(method, path, { token: tokenA, body }), 403, "FORBIDDEN");
      expect(message).toMatch(new RegExp(`belongs to task instance ${a.id}, not ${b.id}`));
    }
  });

  it("answers 403 before 404 or 422, so a foreign token learns nothing", async () => {
    errorOf(await h.call("GET", `/task-instances/${randomUUID()}`, { token: tokenA }), 403, "FORBIDDEN");
    errorOf(
      await h.call("PUT", `/store/ti/${b.id}/k`, { token: tokenA, body: { value: 1, extra: true } }),
      403,
      "FORBIDDEN",
    );
    errorOf(
      await h.call("PATCH", `/task-instances/${b.id}/state`, { token: tokenA, body: { state: "nope" } }),
      403,
      "FORBIDDEN",
    );
    errorOf(
      await h.call("PUT", `/store/ti/${b.id}/%01`, { token: tokenA, body: { value: 1 } }),
      403,
      "FORBIDDEN",
    );
  });

  it("answers 404 for a valid token whose task instance does not exist", async () => {
    const ghost = randomUUID();
    const token = await h.token(ghost);
    errorOf(await h.call("GET", `/task-instances/${ghost}`, { token }), 404, "TASK_INSTANCE_NOT_FOUND");
    errorOf(
      await h.call("GET", "/store/asset/by-name/value?name=orders&key=k", { token }),
      404,
      "TASK_INSTANCE_NOT_FOUND",
    );
  });

  it("lets a task instance reach only the assets it declared as inlets or outlets", async () => {
    expect(
      (
        await h.call("PUT", "/store/asset/by-name/value?name=orders&key=w", {
          token: tokenA,
          body: { value: 1 },
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await h.call("PUT", "/store/asset/by-name/value?name=customers&key=w", {
          token: tokenA,
          body: { value: 2 },
        })
      ).status,
    ).toBe(204);
    for (const path of [
      "/store/asset/by-name/value?name=secret&key=w",
      "/store/asset/by-uri/value?uri=s3%3A%2F%2Fdata%2Fsecret%2F&key=w",
    ]) {
      const message = errorOf(await h.call("GET", path, { token: tokenA }), 403, "FORBIDDEN");
      expect(message).toMatch(/not an inlet or outlet.*declared: "customers", "orders"/);
    }
    errorOf(
      await h.call("DELETE", "/store/asset/by-name/clear?name=secret", { token: await h.token(b.id) }),
      403,
      "FORBIDDEN",
    );
  });

  it("gives watcher tokens their listed assets only, and no task instance routes", async () => {
    const watcher = await h.watcherToken([{ name: "secret" }, { uri: "s3://data/customers/" }]);
    expect(
      (
        await h.call("PUT", "/store/asset/by-uri/value?uri=s3%3A%2F%2Fdata%2Fsecret%2F&key=seen", {
          token: watcher,
          body: { value: true },
        })
      ).status,
    ).toBe(204);
    expect(
      (await h.call("GET", "/store/asset/by-name/value?name=customers&key=w", { token: watcher })).body,
    ).toEqual({ value: 2 });
    errorOf(
      await h.call("GET", "/store/asset/by-name/value?name=orders&key=w", { token: watcher }),
      403,
      "FORBIDDEN",
    );
    for (const [method, path, body] of routesOf(a.id).slice(0, 6)) {
      expect(errorOf(await h.call(method, path, { token: watcher, body }), 403, "FORBIDDEN")).toMatch(
        /watcher token/,
      );
    }
    const backend = new MetastoreBackend({ database: h.database });
    const secret = await getAssetByName(h.database, "secret");
    const entry = await backend.getEntry({ kind: "asset", assetId: secret?.id as number }, "seen");
    expect(entry?.lastUpdatedBy).toEqual({ kind: "watcher" });
  });

  it("serves the OpenAPI document without a token and answers unknown routes with ROUTE_NOT_FOUND", async () => {
    expect((await h.call("GET", "/openapi.json", { token: null })).status).toBe(200);
    errorOf(await h.call("GET", "/no/such/route", { token: null }), 404, "ROUTE_NOT_FOUND");
    const outside = await fetch(`${h.baseUrl.replace(/\/execution$/, "")}/api/v1/whatever`);
    expect(outside.status).toBe(404);
    expect(((await outside.json()) as { detail: { code: string } }).detail.code).toBe("ROUTE_NOT_FOUND");
  });

  it("generates the signing key once into .tidemark/secret_key with mode 0600 and reuses it", async () => {
    const path = join(h.cwd, ".tidemark", "secret_key");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const again = resolveSecretKey(h.config, { cwd: h.cwd });
    expect(again.source).toBe("file");
    expect(new TextDecoder().decode(again.key)).toBe(readFileSync(path, "utf8").trim());
    expect(Buffer.from(again.key).equals(Buffer.from(h.server.secretKey.key))).toBe(true);
  });

  it("refuses a configured api.secret_key shorter than 32 characters", () => {
    const config = loadConfig({ cwd: h.cwd, env: { TIDEMARK__API__SECRET_KEY: "short" } });
    let error: unknown;
    try {
      resolveSecretKey(config, { cwd: h.cwd });
    } catch (e) {
      error = e;
    }
    expect(isStateStoreError(error, "CONFIG_ERROR")).toBe(true);
    expect((error as Error).message).toMatch(/api\.secret_key is 5 characters/);
  });
});
