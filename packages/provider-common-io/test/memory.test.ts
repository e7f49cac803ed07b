import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type AzuriteHandle, startAzurite } from "@tidemark/testkit/azurite";
import { type S3rverHandle, startS3rver } from "@tidemark/testkit/s3rver";
import { makeTempDir, type TempDir } from "@tidemark/testkit/temp-dir";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL("..", import.meta.url));

/** Peak growth above a post-GC baseline, per round trip, in MB and as a multiple of the value size. */
interface PhaseReport {
  rssMB: number;
  arrayBuffersMB: number;
  heapUsedMB: number;
  rssTimesValue: number;
  durationMs: number;
}

interface MemoryReport {
  valueBytes: number;
  worker: PhaseReport;
  server: PhaseReport;
  peakRssDelta: number;
}

let dir: TempDir;
let s3: S3rverHandle;
let azurite: AzuriteHandle;
beforeAll(async () => {
  dir = await makeTempDir();
  [s3, azurite] = await Promise.all([startS3rver(), startAzurite()]);
}, 60_000);
afterAll(async () => {
  await Promise.all([s3?.stop(), azurite?.stop()]);
  await dir?.remove();
});

/** Measures in a fresh process (clean baseline, --expose-gc), through the built package. */
async function measure(path: string, compression: string, env: Record<string, string> = {}) {
  if (!existsSync(join(packageDir, "dist/index.js"))) {
    throw new Error(
      "dist/index.js is missing: build first (pnpm turbo run build --filter=@tidemark/provider-common-io...)",
    );
  }
  const { stdout } = await run(
    process.execPath,
    ["--no-warnings", "--expose-gc", join(packageDir, "test/support/memory-child.mjs"), path, compression],
    { cwd: packageDir, env: { ...process.env, ...env }, timeout: 120_000, maxBuffer: 1024 * 1024 },
  );
  return JSON.parse(stdout) as MemoryReport;
}

// Peak memory is reported (vitest prints it) and asserted only loosely: a 10 MB value may cost a few
// copies (the text, its UTF-8 bytes, the compressed bytes, the text read back), never tens of copies.
describe("a 10 MB value round trip (worker hooks and get/set)", () => {
  const cases = [
    ["file://", ""],
    ["file://", "gzip"],
    ["s3://", ""],
    ["s3://", "gzip"],
    ["az://", ""],
    ["az://", "gzip"],
  ] as const;
  for (const [scheme, compression] of cases) {
    it(`stays within 10x the value size in peak memory: ${scheme} compression="${compression}"`, async () => {
      const name = compression || "plain";
      const report =
        scheme === "file://"
          ? await measure(`${dir.url}${name}/`, compression)
          : scheme === "s3://"
            ? await measure(`s3://mem@${s3.bucket}/${name}/`, compression, s3.connectionEnv("mem"))
            : await measure(
                `az://mem@${azurite.container}/${name}/`,
                compression,
                azurite.connectionEnv("mem"),
              );
      console.log(`memory ${scheme} compression="${compression}": ${JSON.stringify(report)}`);
      expect(report.valueBytes).toBeGreaterThan(10_000_000);
      expect(report.peakRssDelta).toBeLessThan(10 * report.valueBytes);
    }, 180_000);
  }
});
