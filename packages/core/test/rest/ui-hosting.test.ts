import { mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { tempDir } from "@tidemark/testkit/temp-dir";
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveUiDir, uiMissingPlugin } from "../../src/api/rest/ui-hosting.js";
import { type RestHarness, restErrorOf, startRestHarness } from "./support/rest-harness.js";

/** The dist of the @tidemark/ui this package depends on (built by turbo's ^build before the tests). */
const BUNDLED_UI = join(
  dirname(realpathSync(createRequire(import.meta.url).resolve("@tidemark/ui/package.json"))),
  "dist",
);

const INDEX = "<!doctype html><title>Tidemark</title><script src='/ui/assets/app-1234.js'></script>";

function writeUiBuild(dir: string): void {
  mkdirSync(join(dir, "assets"), { recursive: true });
  writeFileSync(join(dir, "index.html"), INDEX);
  writeFileSync(join(dir, "assets", "app-1234.js"), "console.log('ui');");
}

describe("UI hosting at /ui/", () => {
  const ui = tempDir("tidemark-ui-build-");
  let h: RestHarness;
  beforeAll(async () => {
    writeUiBuild(ui.path);
    h = await startRestHarness({ config: { api: { ui_dir: ui.path } } });
  });
  afterAll(async () => {
    await h.close();
    ui.remove();
  });

  const get = (path: string) => fetch(`${h.origin}${path}`, { redirect: "manual" });

  it("redirects / and /ui to /ui/, and serves index.html there without a token", async () => {
    for (const path of ["/", "/ui"]) {
      const response = await get(path);
      expect(response.status, path).toBe(302);
      expect(response.headers.get("location")).toBe("/ui/");
    }
    const index = await get("/ui/");
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toMatch(/^text\/html/);
    expect(index.headers.get("cache-control")).toBe("no-cache");
    expect(await index.text()).toBe(INDEX);
  });

  it("serves built assets with long-lived caching", async () => {
    const asset = await get("/ui/assets/app-1234.js");
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toMatch(/javascript/);
    expect(asset.headers.get("cache-control")).toContain("immutable");
    expect(await asset.text()).toBe("console.log('ui');");
  });

  it("falls back to index.html for client-side routes, but not for missing files", async () => {
    const route = await get("/ui/tasks/etl/run1");
    expect(route.status).toBe(200);
    expect(await route.text()).toBe(INDEX);
    const missing = await get("/ui/assets/missing.js");
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { detail: { code: string } }).detail.code).toBe("ROUTE_NOT_FOUND");
    const traversal = await get("/ui/..%2F..%2Fetc%2Fpasswd");
    expect(traversal.status).not.toBe(500);
    expect(await traversal.text()).not.toContain("root:");
  });

  it("leaves the APIs alone", async () => {
    expect((await h.rest("GET", "/config/ui", { token: null })).status).toBe(200);
    restErrorOf(await h.rest("GET", "/dags", { token: null }), 401, "UNAUTHORIZED");
  });
});

describe("the UI bundled with @tidemark/core", () => {
  it("is served at /ui/ when no directory is configured, whatever the working directory", async () => {
    const h = await startRestHarness();
    try {
      const ui = h.api.server.restApi.ui;
      expect(ui).toEqual({ dir: BUNDLED_UI, source: "package", reason: null });
      const root = await fetch(`${h.origin}/`, { redirect: "manual" });
      expect(root.headers.get("location")).toBe("/ui/");
      const index = await fetch(`${h.origin}/ui/`);
      expect(index.status).toBe(200);
      expect(await index.text()).toBe(readFileSync(join(BUNDLED_UI, "index.html"), "utf8"));
    } finally {
      await h.close();
    }
  });
});

describe("without a UI", () => {
  it("answers /, /ui and /ui/… with 404 saying why and how to fix it", async () => {
    const app = Fastify();
    const reason = "@tidemark/ui has no built UI (x/dist has no index.html); run `pnpm build`";
    await app.register(uiMissingPlugin, { reason });
    try {
      for (const url of ["/", "/ui", "/ui/", "/ui/assets/app.js", "/ui/tasks?dag_id=a"]) {
        const answer = await app.inject({ method: "GET", url });
        expect(answer.statusCode, url).toBe(404);
        expect(answer.headers["tidemark-error-code"], url).toBe("ROUTE_NOT_FOUND");
        expect((answer.json() as { detail: { message: string } }).detail.message, url).toBe(
          `this api-server serves no UI: ${reason}`,
        );
      }
    } finally {
      await app.close();
    }
  });
});

describe("resolveUiDir", () => {
  it("takes a directory relative to the working directory and insists on index.html", () => {
    const cwd = tempDir("tidemark-ui-cwd-");
    try {
      writeUiBuild(join(cwd.path, "build"));
      expect(resolveUiDir({ uiDir: "build", cwd: cwd.path })).toEqual({
        dir: join(cwd.path, "build"),
        source: "option",
        reason: null,
      });
      mkdirSync(join(cwd.path, "empty"));
      expect(() => resolveUiDir({ uiDir: "empty", cwd: cwd.path })).toThrow(/no index\.html/);
      expect(() => resolveUiDir({ uiDir: "nowhere", cwd: cwd.path })).toThrow(/api\.ui_dir/);
    } finally {
      cwd.remove();
    }
  });

  it("resolves @tidemark/ui from core's module, saying why when it is missing or not built", () => {
    const root = tempDir("tidemark-ui-resolve-");
    try {
      const from = join(root.path, "core", "dist", "index.js");
      mkdirSync(dirname(from), { recursive: true });
      const none = resolveUiDir({ uiDir: "", cwd: root.path, resolveFrom: from });
      expect(none).toMatchObject({ dir: null, source: null });
      expect(none.reason).toMatch(/@tidemark\/ui is not installed .*--ui-dir/);

      const pkg = join(root.path, "node_modules", "@tidemark", "ui");
      mkdirSync(pkg, { recursive: true });
      writeFileSync(
        join(pkg, "package.json"),
        JSON.stringify({
          name: "@tidemark/ui",
          version: "0.0.0",
          exports: { "./package.json": "./package.json" },
        }),
      );
      const unbuilt = resolveUiDir({ uiDir: "", cwd: root.path, resolveFrom: from });
      expect(unbuilt).toMatchObject({ dir: null, source: null });
      expect(unbuilt.reason).toContain(`${join(pkg, "dist")} has no index.html`);
      expect(unbuilt.reason).toContain("pnpm build");
      expect(unbuilt.reason).toContain("--ui-dir");

      writeUiBuild(join(pkg, "dist"));
      expect(resolveUiDir({ uiDir: "", cwd: root.path, resolveFrom: from })).toEqual({
        dir: join(pkg, "dist"),
        source: "package",
        reason: null,
      });
      // The working directory plays no part: a UI under it is not picked up.
      const elsewhere = tempDir("tidemark-ui-cwd-");
      try {
        expect(resolveUiDir({ uiDir: "", cwd: elsewhere.path, resolveFrom: from }).dir).toBe(
          join(pkg, "dist"),
        );
      } finally {
        elsewhere.remove();
      }
    } finally {
      root.remove();
    }
  });

  it("a configured directory without index.html stops the server from starting", async () => {
    const empty = tempDir("tidemark-ui-empty-");
    try {
      await expect(startRestHarness({ config: { api: { ui_dir: empty.path } } })).rejects.toMatchObject({
        code: "CONFIG_ERROR",
      });
    } finally {
      empty.remove();
    }
  });
});
