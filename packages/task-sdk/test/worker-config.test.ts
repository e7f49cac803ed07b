import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { loadConfig } from "@tidemark/config";
import { isStateStoreError } from "@tidemark/state";
import { afterAll, describe, expect, it } from "vitest";
import {
  createConsoleTaskLogger,
  defineTask,
  loadWorkerBackend,
  workerSettingsFromConfig,
} from "../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "tidemark-sdk-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("worker configuration", () => {
  it("reads the worker's options from loadConfig", () => {
    const config = loadConfig({
      cwd: dir,
      env: {
        TIDEMARK__STATE_STORE__DEFAULT_RETENTION_DAYS: "7",
        TIDEMARK__STATE_STORE__CLEAR_ON_SUCCESS: "true",
        TIDEMARK__STATE_STORE__MAX_VALUE_STORAGE_BYTES: "1024",
      },
    });
    expect(workerSettingsFromConfig(config)).toEqual({
      defaultRetentionDays: 7,
      maxValueStorageBytes: 1024,
      clearOnSuccess: true,
      stateStoreBackend: "",
      executionApiUrl: "",
    });
  });

  it("loads workers.state_store_backend once, and none when empty", async () => {
    const file = join(dir, "counting-backend.mjs");
    // The fixture lives outside the workspace, so it imports @tidemark/state by file URL.
    const state = pathToFileURL(createRequire(import.meta.url).resolve("@tidemark/state")).href;
    writeFileSync(
      file,
      `import { BaseWorkerBackend, defineWorkerBackend } from ${JSON.stringify(state)};
let built = 0;
export function count() { return built; }
export class Counting extends BaseWorkerBackend {
  static workerDefinition = defineWorkerBackend({
    name: "counting", parseConfig: () => ({}), create: (_options, ctx) => new Counting(ctx) });
  constructor(ctx) { super(); built++; this.ctx = ctx; }
  async delete() {} async clear() {} }`,
    );
    const config = loadConfig({
      cwd: dir,
      env: { TIDEMARK__WORKERS__STATE_STORE_BACKEND: "./counting-backend.mjs#Counting" },
    });
    const a = await loadWorkerBackend(config, { cwd: dir });
    const b = await loadWorkerBackend(config, { cwd: dir });
    expect(a).toBe(b);
    expect((a as unknown as { ctx: { config: unknown } }).ctx.config).toBe(config);
    expect(await loadWorkerBackend(loadConfig({ cwd: dir, env: {} }))).toBeNull();
  });

  it("fails with CONFIG_ERROR naming workers.state_store_backend", async () => {
    const config = loadConfig({
      cwd: dir,
      env: { TIDEMARK__WORKERS__STATE_STORE_BACKEND: "./missing.mjs#Nope" },
    });
    const error = await loadWorkerBackend(config, { cwd: dir }).catch((e) => e);
    expect(isStateStoreError(error, "CONFIG_ERROR")).toBe(true);
    expect(error.message).toMatch(/^workers\.state_store_backend = /);
  });

  it("leaves the common_io section to the provider, whose definition refuses a bad option when loaded", async () => {
    const config = loadConfig({
      cwd: dir,
      env: {
        TIDEMARK__WORKERS__STATE_STORE_BACKEND: "@tidemark/provider-common-io#StateStoreObjectStorageBackend",
        TIDEMARK__COMMON_IO__STATE_STORE_OBJECTSTORAGE_PATH: pathToFileURL(`${dir}/objects/`).href,
        TIDEMARK__COMMON_IO__STATE_STORE_OBJECTSTORAGE_COMPRESSION: "zstd",
      },
    });
    const error = await loadWorkerBackend(config, {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
    }).catch((e) => e);
    expect(isStateStoreError(error, "CONFIG_ERROR")).toBe(true);
    expect(error.message).toContain("common_io.state_store_objectstorage_compression");
    expect(error.message).toContain('supported codecs: "" (none), "gzip"');
  });

  it("checks task definitions", () => {
    expect(() => defineTask({ retries: -1, execute() {} })).toThrow(/retries must be an integer >= 0/);
    expect(() => defineTask({ taskId: "", execute() {} })).toThrow(/taskId/);
    expect(() => defineTask({} as never)).toThrow(/execute/);
    expect(Object.isFrozen(defineTask({ execute() {} }))).toBe(true);
  });

  it("writes pino-shaped JSON lines at or above the level", () => {
    const lines: string[] = [];
    const log = createConsoleTaskLogger({
      level: "warn",
      bindings: { ti_id: "x" },
      write: (l) => lines.push(l),
    });
    log.info("hidden");
    log.warn({ key: "k" }, "shown");
    log.error("plain");
    expect(lines.map((l) => JSON.parse(l))).toMatchObject([
      { level: "warn", ti_id: "x", key: "k", msg: "shown" },
      { level: "error", ti_id: "x", msg: "plain" },
    ]);
  });
});
