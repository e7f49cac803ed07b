import { existsSync, realpathSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import fastifyStatic from "@fastify/static";
import { StateStoreError } from "@tidemark/state";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { sendApiError } from "../api-error.js";

/** Where the UI is served. */
export const UI_PREFIX = "/ui";

/** The npm package of the built UI. */
export const UI_PACKAGE = "@tidemark/ui";

/** Where {@link resolveUiDir} found the UI. */
export interface ResolvedUiDir {
  /** The directory holding `index.html`, or null when there is no UI to serve. */
  readonly dir: string | null;
  /** `option` (`--ui-dir` / `api.ui_dir`), `package` (the installed @tidemark/ui), or null. */
  readonly source: "option" | "package" | null;
}

function hasIndex(dir: string): boolean {
  return existsSync(join(dir, "index.html")) && statSync(join(dir, "index.html")).isFile();
}

function packageDist(cwd: string): string | null {
  // Node's module lookup (node_modules in the directory and its ancestors), without NODE_PATH or globals,
  // so what is served depends only on the working directory.
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const manifest = join(dir, "node_modules", ...UI_PACKAGE.split("/"), "package.json");
    if (existsSync(manifest)) {
      const dist = join(dirname(realpathSync(manifest)), "dist");
      return hasIndex(dist) ? dist : null;
    }
    if (dirname(dir) === dir) return null;
  }
}

/**
 * Finds the built UI: the directory given (`--ui-dir DIR` or `api.ui_dir`, relative to `cwd`), which must
 * hold `index.html`; or, when none is given, the `dist` directory of the `@tidemark/ui` package installed
 * in `node_modules` of the working directory or one of its ancestors (as Node resolves packages, but
 * without NODE_PATH); or no UI.
 *
 * @param options - `uiDir` ("" = look for the package) and the working directory.
 * @returns the directory and where it came from.
 * @throws StateStoreError `CONFIG_ERROR` when a given directory has no `index.html`.
 */
export function resolveUiDir(options: { uiDir: string; cwd: string }): ResolvedUiDir {
  if (options.uiDir !== "") {
    const dir = resolve(options.cwd, options.uiDir);
    if (!hasIndex(dir)) {
      throw new StateStoreError(
        "CONFIG_ERROR",
        `the UI directory ${dir} (--ui-dir / api.ui_dir) has no index.html; build the UI (pnpm --filter @tidemark/ui build) and point at its dist directory, or leave api.ui_dir empty to serve the installed @tidemark/ui`,
        { details: { option: "api.ui_dir", dir } },
      );
    }
    return { dir, source: "option" };
  }
  const found = packageDist(options.cwd);
  return found === null ? { dir: null, source: null } : { dir: found, source: "package" };
}

function wantsPage(request: FastifyRequest): boolean {
  if (request.method !== "GET" && request.method !== "HEAD") return false;
  const last = (request.url.split("?")[0] ?? "").split("/").pop() ?? "";
  return !last.includes(".");
}

/**
 * Serves the built UI at `/ui/` (register at the root, without a prefix): its files with @fastify/static,
 * `index.html` for client-side routes (GET paths under /ui/ whose last segment has no file extension; a
 * missing file such as /ui/assets/x.js stays a 404), a redirect from `/ui` to `/ui/` and from `/` to `/ui/`.
 *
 * @param app - the root instance.
 * @param options - the directory holding `index.html`.
 */
export async function uiHostingPlugin(app: FastifyInstance, options: { dir: string }): Promise<void> {
  app.get("/", { schema: { hide: true } }, async (_request, reply) => reply.redirect(`${UI_PREFIX}/`));
  app.get(UI_PREFIX, { schema: { hide: true } }, async (_request, reply) => reply.redirect(`${UI_PREFIX}/`));
  await app.register(
    async (ui: FastifyInstance) => {
      await ui.register(fastifyStatic, {
        root: options.dir,
        prefix: "/",
        index: "index.html",
        cacheControl: false,
        // Hashed build assets never change; index.html must be revalidated so a new build is picked up.
        setHeaders(res, path) {
          const hashed = path.slice(options.dir.length).replaceAll("\\", "/").startsWith("/assets/");
          res.setHeader("cache-control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
        },
      });
      ui.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
        if (wantsPage(request)) return reply.header("cache-control", "no-cache").sendFile("index.html");
        return sendApiError(
          reply,
          new StateStoreError("ROUTE_NOT_FOUND", `no file ${request.url.split("?")[0]} in the UI build`),
        );
      });
    },
    { prefix: UI_PREFIX },
  );
}
