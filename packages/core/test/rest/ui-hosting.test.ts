import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@tidemark/testkit/temp-dir";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveUiDir } from "../../src/api/rest/ui-hosting.js";
import { type RestHarness, restErrorOf, startRestHarness } from "./support/rest-harness.js";

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

describe("without a UI build", () => {
  it("serves no /ui/ and does not redirect /", async () => {
    const h = await startRestHarness();
    try {
      expect(h.api.server.restApi.ui).toEqual({ dir: null, source: null });
      const root = await fetch(`${h.origin}/`, { redirect: "manual" });
      expect(root.status).toBe(404);
      expect((await fetch(`${h.origin}/ui/`)).status).toBe(404);
    } finally {
      await h.close();
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
      });
      mkdirSync(join(cwd.path, "empty"));
      expect(() => resolveUiDir({ uiDir: "empty", cwd: cwd.path })).toThrow(/no index\.html/);
      expect(() => resolveUiDir({ uiDir: "nowhere", cwd: cwd.path })).toThrow(/api\.ui_dir/);
    } finally {
      cwd.remove();
    }
  });

  it("finds the installed @tidemark/ui package's dist from the working directory", () => {
    const cwd = tempDir("tidemark-ui-cwd-");
    try {
      const pkg = join(cwd.path, "node_modules", "@tidemark", "ui");
      mkdirSync(pkg, { recursive: true });
      writeFileSync(
        join(pkg, "package.json"),
        JSON.stringify({
          name: "@tidemark/ui",
          version: "0.0.0",
          exports: { "./package.json": "./package.json" },
        }),
      );
      expect(resolveUiDir({ uiDir: "", cwd: cwd.path })).toEqual({ dir: null, source: null });
      writeUiBuild(join(pkg, "dist"));
      expect(resolveUiDir({ uiDir: "", cwd: cwd.path })).toEqual({
        dir: join(pkg, "dist"),
        source: "package",
      });
    } finally {
      cwd.remove();
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
