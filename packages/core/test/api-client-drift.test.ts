import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { loadConfig } from "@tidemark/config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, createApiServer } from "../src/api/create-api-server.js";

const openapiDir = join(
  dirname(createRequire(import.meta.url).resolve("@tidemark/api-client/package.json")),
  "openapi",
);
const REGENERATE =
  "run `pnpm --filter @tidemark/api-client generate` (after building @tidemark/core) and commit the result";

describe("@tidemark/api-client's committed OpenAPI documents", () => {
  let server: ApiServer;
  let cwd: string;
  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), "tidemark-drift-"));
    server = await createApiServer({
      config: loadConfig({ cwd, env: {}, overrides: { database: { url: "sqlite::memory:" } } }),
      cwd,
      logger: false,
    });
    await server.app.ready();
  });
  afterAll(async () => {
    await server.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  it.each([
    ["/execution/openapi.json", "execution-api.json"],
    ["/api/v2/openapi.json", "core-rest-api.json"],
  ])("%s is the committed %s", async (route, file) => {
    const served = (await server.app.inject({ method: "GET", url: route })).json();
    const committed = JSON.parse(readFileSync(join(openapiDir, file), "utf8"));
    expect(
      served,
      `the server's ${route} differs from @tidemark/api-client's openapi/${file}; ${REGENERATE}`,
    ).toEqual(committed);
  });
});
