import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TEST_POSTGRES_URL, testSchemaName } from "@tidemark/testkit/postgres";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { formatStartupBanner } from "../src/api/startup-banner.js";
import { MetastoreBackend } from "../src/metastore/metastore-backend.js";
import {
  createWorkspace,
  startApiServer,
  type TidemarkWorkspace,
} from "./ui-e2e/support/tidemark-process.js";

// The real `tidemark api-server` as a process: what an operator reads on stdout when it starts.

const workspaces: TidemarkWorkspace[] = [];
afterAll(async () => {
  for (const ws of workspaces) await ws.dispose();
});

async function workspace(env: Record<string, string>): Promise<TidemarkWorkspace> {
  const ws = await createWorkspace(env);
  workspaces.push(ws);
  return ws;
}

/** Starts the server, waits for the whole banner (its last line is the UI) and stops it. */
async function bannerOf(ws: TidemarkWorkspace, args: readonly string[] = []): Promise<string> {
  const server = await startApiServer(ws, { args });
  try {
    if (!args.includes("--quiet"))
      await expect.poll(() => server.output(), { timeout: 30_000 }).toMatch(/UI: /);
    return stdoutLines(server.output());
  } finally {
    await server.stop();
  }
}

/** The human lines (pino's JSON log lines on stderr are left out). */
function stdoutLines(output: string): string {
  return output
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("{"))
    .join("\n");
}

describe("tidemark api-server start-up banner", () => {
  it("names the SQLite file and says it is new, then existing; auth none says anyone here can write", async () => {
    const ws = await workspace({ TIDEMARK__API__AUTH: "none" });
    const file = join(ws.dir, "t.db");
    const first = await bannerOf(ws);
    const lines = first.split("\n");
    expect(lines[0]).toMatch(/^tidemark api-server listening on http:\/\/127\.0\.0\.1:\d+$/);
    const port = /:(\d+)$/.exec(lines[0] ?? "")?.[1];
    expect(first).toContain(`  database:       ${file} (new, empty: created now;`);
    expect(first).toContain(
      "  server backend: MetastoreBackend (built-in; expiry, compare-and-set, list keys, writer tracking)",
    );
    expect(first).toContain(
      "  worker backend: none: workers store values inline (workers.state_store_backend is empty)",
    );
    expect(first).toContain(
      '  auth:           none: anyone on this machine can read and write all state without a token (api.auth = "none", loopback only)',
    );
    expect(first).toContain(`  UI:             http://127.0.0.1:${port}/ui/ (bundled @tidemark/ui)`);

    const second = await bannerOf(ws);
    expect(second).toContain(`  database:       ${file} (existing)`);
    expect(second).not.toContain("new, empty");
  });

  it("redacts a Postgres password, counts tokens without showing them, names --ui-dir and the worker backend", async () => {
    const url = new URL(TEST_POSTGRES_URL);
    url.password = "banner-s3cret";
    const schema = testSchemaName("tidemark_banner_");
    url.searchParams.set("schema", schema);
    const ws = await workspace({
      TIDEMARK__DATABASE__URL: url.toString(),
      TIDEMARK__API__AUTH: "token",
      TIDEMARK__API__AUTH_TOKENS: "token-one-9f3a,token-two-77c1",
      TIDEMARK__WORKERS__STATE_STORE_BACKEND: "@tidemark/provider-common-io#StateStoreObjectStorageBackend",
    });
    const ui = join(ws.dir, "my-ui");
    mkdirSync(ui);
    writeFileSync(join(ui, "index.html"), "<!doctype html><title>mine</title>");
    writeFileSync(
      join(ws.dir, "tidemark.toml"),
      `[common_io]\nstate_store_objectstorage_path = "file://${join(ws.dir, "objects")}"\n`,
    );
    try {
      const banner = await bannerOf(ws, ["--ui-dir", "my-ui"]);
      const redacted = `${url.protocol}//${url.username}:***@${url.host}${url.pathname}?schema=${schema}`;
      expect(banner).toContain(`  database:       ${redacted}\n`);
      expect(banner).not.toContain("banner-s3cret");
      expect(banner).toContain("  auth:           token (2 tokens in api.auth_tokens)");
      expect(banner).not.toMatch(/token-one|token-two/);
      expect(banner).toMatch(
        / {2}worker backend: StateStoreObjectStorageBackend \(@tidemark\/provider-common-io#StateStoreObjectStorageBackend; offloads task state and asset state\)/,
      );
      expect(banner).toMatch(
        new RegExp(
          `  UI:             http://127\\.0\\.0\\.1:\\d+/ui/ \\(from ${ui} \\(--ui-dir / api\\.ui_dir\\)\\)`,
        ),
      );
    } finally {
      const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    }
  });

  it("--quiet prints only the listening line", async () => {
    const ws = await workspace({ TIDEMARK__API__AUTH: "none" });
    expect(await bannerOf(ws, ["--quiet"])).toMatch(
      /^tidemark api-server listening on http:\/\/127\.0\.0\.1:\d+$/,
    );
  });
});

describe("formatStartupBanner", () => {
  const backend = new MetastoreBackend({ url: "sqlite::memory:" });
  afterAll(() => backend.close());

  it("says when no token can be accepted, when a worker backend does not load here, and why there is no UI", () => {
    const text = formatStartupBanner({
      origin: "http://127.0.0.1:8080",
      database: { display: "sqlite::memory:", state: "memory" },
      serverBackend: { backend, spec: "" },
      workerBackend: { kind: "unloadable", spec: "my-offload#Backend", message: "no credentials" },
      auth: { mode: "token", tokens: [""] },
      ui: { dir: null, source: null, reason: "@tidemark/ui has no built UI; run `pnpm build`" },
    });
    expect(text.split("\n")).toEqual([
      "  database:       sqlite::memory: (in memory: state is lost when the server stops)",
      "  server backend: MetastoreBackend (built-in; expiry, compare-and-set, list keys, writer tracking)",
      "  worker backend: my-offload#Backend (could not be loaded here to read its capabilities: no credentials)",
      "  auth:           token, but api.auth_tokens is empty: every Core REST API request is refused; configure api.auth_tokens",
      "  UI:             none: @tidemark/ui has no built UI; run `pnpm build`",
      "",
    ]);
  });

  it("says where the metrics are and whether they need a token, or that they are off", () => {
    const facts = {
      origin: "http://127.0.0.1:8080",
      database: { display: "sqlite::memory:", state: "memory" as const },
      serverBackend: { backend, spec: "" },
      workerBackend: { kind: "inline" as const },
      auth: { mode: "token" as const, tokens: ["t"] },
      ui: { dir: null, source: null, reason: "none" },
    };
    const metricsLine = (metrics: { enabled: boolean; tokenRequired: boolean }) =>
      formatStartupBanner({ ...facts, metrics })
        .split("\n")
        .find((line) => line.startsWith("  metrics:"));
    expect(metricsLine({ enabled: true, tokenRequired: true })).toBe(
      "  metrics:        http://127.0.0.1:8080/metrics (Prometheus text format; needs Authorization: Bearer <api.metrics_token>)",
    );
    expect(metricsLine({ enabled: true, tokenRequired: false })).toBe(
      "  metrics:        http://127.0.0.1:8080/metrics (Prometheus text format; no token needed (set api.metrics_token to require one))",
    );
    expect(metricsLine({ enabled: false, tokenRequired: false })).toBe(
      "  metrics:        off (api.metrics = false)",
    );
  });
});
