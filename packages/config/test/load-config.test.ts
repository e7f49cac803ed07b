import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isStateStoreError } from "@tidemark/state";
import { describe, expect, it } from "vitest";
import { CONFIG_OPTIONS } from "../src/config-options.js";
import { loadConfig } from "../src/load-config.js";

function dirWith(toml?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "tidemark-config-"));
  if (toml !== undefined) writeFileSync(join(dir, "tidemark.toml"), toml);
  return dir;
}

function configError(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    expect(isStateStoreError(e, "CONFIG_ERROR")).toBe(true);
    return e as Error;
  }
  throw new Error("expected CONFIG_ERROR");
}

describe("loadConfig", () => {
  it("gives every documented default when there is no file and no variable", () => {
    const config = loadConfig({ cwd: dirWith(), env: {} });
    for (const option of CONFIG_OPTIONS) {
      expect((config[option.section] as Record<string, unknown>)[option.key]).toEqual(option.default);
    }
    expect(config.state_store.default_retention_days).toBe(30);
    expect(config.state_store.max_value_storage_bytes).toBe(65535);
    expect(config.state_store.state_cleanup_batch_size).toBe(10000);
    expect(config.state_store.clear_on_success).toBe(false);
    expect(Object.isFrozen(config.state_store)).toBe(true);
  });

  it("reads tidemark.toml from the working directory and lets the environment win", () => {
    const cwd = dirWith(
      '[state_store]\ndefault_retention_days = 7\nclear_on_success = true\n[api]\nauth_tokens = ["a", "b"]\n[my_provider]\nbucket = "x"\n',
    );
    const config = loadConfig({
      cwd,
      env: {
        TIDEMARK__STATE_STORE__DEFAULT_RETENTION_DAYS: "3",
        TIDEMARK__STATE_STORE__MAX_VALUE_STORAGE_BYTES: "0",
        TIDEMARK__API__AUTH_TOKENS: "t1, t2",
        TIDEMARK__COMMON_IO__STATE_STORE_OBJECTSTORAGE_COMPRESSION: "gzip",
      },
    });
    expect(config.state_store.default_retention_days).toBe(3);
    expect(config.state_store.clear_on_success).toBe(true);
    expect(config.state_store.max_value_storage_bytes).toBe(0);
    expect(config.api.auth_tokens).toEqual(["t1", "t2"]);
    expect(config.common_io?.state_store_objectstorage_compression).toBe("gzip");
    expect(config.my_provider).toEqual({ bucket: "x" });
  });

  it("reads the file named by TIDEMARK_CONFIG, and fails when it is missing", () => {
    const dir = dirWith();
    writeFileSync(join(dir, "other.toml"), '[database]\nurl = "postgres://postgres@127.0.0.1:5432/test"\n');
    expect(loadConfig({ cwd: dir, env: { TIDEMARK_CONFIG: "other.toml" } }).database.url).toBe(
      "postgres://postgres@127.0.0.1:5432/test",
    );
    expect(
      configError(() => loadConfig({ cwd: dir, env: { TIDEMARK_CONFIG: "nope.toml" } })).message,
    ).toContain("does not exist");
  });

  it.each([
    [{ TIDEMARK__STATE_STORE__DEFAULT_RETENTION_DAYS: "-1" }, "state_store.default_retention_days", ">= 0"],
    [
      { TIDEMARK__STATE_STORE__DEFAULT_RETENTION_DAYS: "soon" },
      "state_store.default_retention_days",
      "integer",
    ],
    [{ TIDEMARK__STATE_STORE__CLEAR_ON_SUCCESS: "maybe" }, "state_store.clear_on_success", "true or false"],
    [{ TIDEMARK__API__AUTH: "basic" }, "api.auth", '"token", "none"'],
    [{ TIDEMARK__DATABASE__URL: "oracle://x" }, "database.url", "sqlite::memory:"],
    [{ TIDEMARK__WORKERS__STATE_STORE_BACKEND: "pkg" }, "workers.state_store_backend", "module#Export"],
    [{ TIDEMARK__STATE_STORE__RETENTION: "3" }, "state_store.retention", "default_retention_days"],
  ])("rejects %o naming the option and the accepted values", (env, option, accepted) => {
    const message = configError(() => loadConfig({ cwd: dirWith(), env })).message;
    expect(message).toContain(option);
    expect(message).toContain(accepted);
    expect(message).toContain("environment");
  });

  it("passes a provider's section through as given: the provider validates it", () => {
    const config = loadConfig({
      cwd: dirWith("[common_io]\nstate_store_objectstorage_threshold = 100\n"),
      env: { TIDEMARK__COMMON_IO__STATE_STORE_OBJECTSTORAGE_COMPRESSION: "zstd" },
    });
    expect(config.common_io).toEqual({
      state_store_objectstorage_threshold: 100,
      state_store_objectstorage_compression: "zstd",
    });
    expect(loadConfig({ cwd: dirWith(), env: {} }).common_io).toBeUndefined();
  });

  it("names the file and line of invalid TOML", () => {
    const message = configError(() => loadConfig({ cwd: dirWith("[state_store\nx = 1"), env: {} })).message;
    expect(message).toContain("tidemark.toml is not valid TOML");
  });

  it("rejects a value of the wrong type in the file, naming the file", () => {
    const message = configError(() =>
      loadConfig({ cwd: dirWith('[state_store]\nmax_value_storage_bytes = "big"\n'), env: {} }),
    ).message;
    expect(message).toContain("state_store.max_value_storage_bytes");
    expect(message).toContain("tidemark.toml");
  });

  it("applies overrides last", () => {
    const config = loadConfig({
      cwd: dirWith(),
      env: { TIDEMARK__API__PORT: "9000" },
      overrides: { api: { port: 0 } },
    });
    expect(config.api.port).toBe(0);
  });
});
