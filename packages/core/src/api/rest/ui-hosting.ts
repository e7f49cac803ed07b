import { existsSync, realpathSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import { StateStoreError } from "@tidemark/state";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { sendApiError } from "../api-error.js";

/** Where the UI is served. */
export const UI_PREFIX = "/ui";

/** The npm package of the built UI (a dependency of @tidemark/core). */
export const UI_PACKAGE = "@tidemark/ui";

/** Where the UI was found (by `resolveUiDir`, internal to the server). */
export interface ResolvedUiDir {
  /** The directory holding `index.html`, or null when there is no UI to serve. */
  readonly dir: string | null;
  /** `option` (`--ui-dir` / `api.ui_dir`), `package` (the @tidemark/ui core depends on), or null. */
  readonly source: "option" | "package" | null;
  /** When `dir` is null: why there is no UI and how to get one (one sentence); otherwise null. */
  readonly reason: string | null;
}

/** Options of {@link resolveUiDir}. */
export interface ResolveUiDirOptions {
  /** `--ui-dir` / `api.ui_dir`, relative to `cwd`; "" = serve the bundled @tidemark/ui. */
  readonly uiDir: string;
  /** The working directory a relative `uiDir` is resolved against. */
  readonly cwd: string;
  /**
   * The module @tidemark/ui is resolved from, as a file URL or path. Default: this module, so the UI
   * served is the one @tidemark/core itself depends on, wherever the server is started.
   */
  readonly resolveFrom?: string | URL;
}

const FIX = "run `pnpm build` in the Tidemark checkout, or pass --ui-dir (api.ui_dir) with a built UI";

function hasIndex(dir: string): boolean {
  return existsSync(join(dir, "index.html")) && statSync(join(dir, "index.html")).isFile();
}

/** The package.json of @tidemark/ui as Node finds it from `from`, or null when it is not installed. */
function findUiManifest(from: string | URL): string | null {
  const file = from instanceof URL || from.startsWith("file:") ? fileURLToPath(from) : from;
  // Node's node_modules walk, without NODE_PATH or global folders (package-manager shims set NODE_PATH),
  // so the UI served is the one installed beside @tidemark/core.
  for (let dir = dirname(resolve(file)); ; dir = dirname(dir)) {
    const manifest = join(dir, "node_modules", ...UI_PACKAGE.split("/"), "package.json");
    if (existsSync(manifest)) return realpathSync(manifest);
    if (dirname(dir) === dir) return null;
  }
}

function bundledUi(from: string | URL): ResolvedUiDir {
  const manifest = findUiManifest(from);
  if (manifest === null) {
    return {
      dir: null,
      source: null,
      reason: `${UI_PACKAGE} is not installed beside @tidemark/core; reinstall @tidemark/core, or ${FIX}`,
    };
  }
  const dist = join(dirname(manifest), "dist");
  if (hasIndex(dist)) return { dir: dist, source: "package", reason: null };
  return {
    dir: null,
    source: null,
    reason: `${UI_PACKAGE} has no built UI (${dist} has no index.html); ${FIX}`,
  };
}

/**
 * Finds the built UI: the directory given (`--ui-dir DIR` or `api.ui_dir`, relative to `cwd`), which must
 * hold `index.html`; or, when none is given, the `dist` directory of the `@tidemark/ui` package that
 * @tidemark/core depends on (resolved from core's own module, not from the working directory); or no UI,
 * with the reason (not installed, or not built in a development checkout).
 *
 * @param options - `uiDir` ("" = the bundled UI), the working directory, and where to resolve the package
 *   from.
 * @returns the directory, where it came from, and why there is none.
 * @throws StateStoreError `CONFIG_ERROR` when a given directory has no `index.html`.
 */
export function resolveUiDir(options: ResolveUiDirOptions): ResolvedUiDir {
  if (options.uiDir !== "") {
    const dir = resolve(options.cwd, options.uiDir);
    if (!hasIndex(dir)) {
      throw new StateStoreError(
        "CONFIG_ERROR",
        `the UI directory ${dir} (--ui-dir / api.ui_dir) has no index.html; point at a built UI (the dist directory of @tidemark/ui after \`pnpm --filter @tidemark/ui build\`), or leave api.ui_dir empty to serve the UI bundled with @tidemark/core`,
        { details: { option: "api.ui_dir", dir } },
      );
    }
    return { dir, source: "option", reason: null };
  }
  return bundledUi(options.resolveFrom ?? import.meta.url);
}

/**
 * Answers `/`, `/ui` and everything under `/ui/` with 404 `ROUTE_NOT_FOUND` whose message says why there
 * is no UI and how to get one, so an operator opening the server in a browser is not left guessing.
 * Register at the root instead of {@link uiHostingPlugin} when {@link resolveUiDir} found no UI.
 *
 * @param app - the root instance.
 * @param options - the reason from {@link resolveUiDir}.
 */
export async function uiMissingPlugin(app: FastifyInstance, options: { reason: string }): Promise<void> {
  const answer = async (_request: FastifyRequest, reply: FastifyReply) =>
    sendApiError(
      reply,
      new StateStoreError("ROUTE_NOT_FOUND", `this api-server serves no UI: ${options.reason}`),
    );
  for (const url of ["/", UI_PREFIX, `${UI_PREFIX}/`, `${UI_PREFIX}/*`]) {
    app.get(url, { schema: { hide: true } }, answer);
  }
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
