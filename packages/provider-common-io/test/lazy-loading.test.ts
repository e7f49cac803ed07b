import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { closedPort } from "@tidemark/testkit/process";
import { makeTempDir, type TempDir } from "@tidemark/testkit/temp-dir";
import { afterEach, beforeEach, expect, it } from "vitest";

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const support = join(packageDir, "test/support");

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir.remove();
});

/** Runs the child with the import recorder; returns its report and every module URL it resolved. */
async function child(mode: "file" | "s3" | "az", path: string, env: Record<string, string> = {}) {
  if (!existsSync(join(packageDir, "dist/index.js"))) {
    throw new Error(
      "dist/index.js is missing: build first (pnpm turbo run build --filter=@tidemark/provider-common-io...)",
    );
  }
  const log = join(dir.path, `imports-${mode}.log`);
  const { stdout } = await run(
    process.execPath,
    [
      "--no-warnings",
      "--import",
      join(support, "record-imports.mjs"),
      join(support, "lazy-load-child.mjs"),
      mode,
      path,
    ],
    { cwd: packageDir, env: { ...process.env, ...env, TIDEMARK_IMPORT_LOG: log }, timeout: 60_000 },
  );
  const urls = (await readFile(log, "utf8")).split("\n").filter(Boolean);
  const report = JSON.parse(stdout) as {
    error: string | null;
    sdkModulesInRequireCache: number;
    azureModulesInRequireCache: number;
  };
  return { report, urls };
}

it("never loads @aws-sdk or @azure when only file:// is used", async () => {
  const { report, urls } = await child("file", `${dir.url}store/`);
  expect(report.error).toBeNull();
  // The recorder saw the package itself, so an @aws-sdk import would have been seen too.
  expect(urls.some((u) => u.includes("provider-common-io/dist/index.js"))).toBe(true);
  expect(urls.some((u) => u.includes("provider-common-io/dist/file-object-store.js"))).toBe(true);
  expect(urls.filter((u) => u.includes("@aws-sdk") || u.includes("@azure"))).toEqual([]);
  expect(report.sdkModulesInRequireCache).toBe(0);
  expect(report.azureModulesInRequireCache).toBe(0);
}, 90_000);

it("loads @aws-sdk/client-s3 on first S3 use (the detection works)", async () => {
  const port = await closedPort();
  const { report, urls } = await child("s3", "s3://lazy@tidemark-lazy/x/", {
    TIDEMARK_CONN_LAZY: `s3://a:b@/?endpoint_url=${encodeURIComponent(`http://127.0.0.1:${port}`)}`,
  });
  expect(report.error).toBe("BACKEND_UNAVAILABLE");
  expect(urls.some((u) => u.includes("@aws-sdk/client-s3"))).toBe(true);
  expect(report.sdkModulesInRequireCache).toBeGreaterThan(0);
  expect(urls.filter((u) => u.includes("@azure"))).toEqual([]);
}, 90_000);

it("loads @azure/storage-blob on first Azure use, and not @azure/identity when the connection has a key", async () => {
  const port = await closedPort();
  const key = Buffer.from("lazy-loading-key").toString("base64");
  const { report, urls } = await child("az", "az://lazy@tidemark-lazy/x/", {
    TIDEMARK_CONN_LAZY: `DefaultEndpointsProtocol=http;AccountName=lazy;AccountKey=${key};BlobEndpoint=http://127.0.0.1:${port}/lazy;`,
  });
  expect(report.error).toBe("BACKEND_UNAVAILABLE");
  expect(urls.some((u) => u.includes("@azure/storage-blob"))).toBe(true);
  expect(urls.filter((u) => u.includes("@azure/identity"))).toEqual([]);
  expect(urls.filter((u) => u.includes("@aws-sdk"))).toEqual([]);
}, 90_000);
