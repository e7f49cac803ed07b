import { readFileSync } from "node:fs";
import { join } from "node:path";
import { consumerEnv } from "./consumer-env.js";
import { PUBLISHED_PACKAGES, WORKSPACE_ROOT } from "./published-packages.js";
import { describeFailure, runCommand } from "./run-command.js";

/** One packed package. */
export interface PackedPackage {
  readonly name: string;
  readonly version: string;
  /** The tarball's absolute path. */
  readonly tarball: string;
}

/** What {@link packPublishedPackages} did. */
export interface PackResult {
  readonly packages: readonly PackedPackage[];
  /** Wall-clock time of all the packs, in milliseconds. */
  readonly durationMs: number;
}

/**
 * The pnpm the workspace pins (`packageManager` in the root package.json, for example `pnpm@10.34.8`),
 * run through npx: neither `npm_execpath` nor a global pnpm is needed (turbo runs tests in strict env mode).
 *
 * @returns the command and its leading arguments.
 */
export function pinnedPnpm(): { file: string; args: string[] } {
  const root = JSON.parse(readFileSync(join(WORKSPACE_ROOT, "package.json"), "utf8")) as {
    packageManager?: string;
  };
  if (root.packageManager?.startsWith("pnpm@") !== true) {
    throw new Error(`the workspace's package.json pins no pnpm in "packageManager" (${root.packageManager})`);
  }
  return { file: "npx", args: ["-y", root.packageManager] };
}

/**
 * Packs every published package with one `pnpm -r pack` (which turns `workspace:*` and `catalog:` into the
 * real versions, as `pnpm publish` does) into `destination`. The packages must be built.
 *
 * @param destination - the directory the tarballs go to.
 * @returns the tarballs, in {@link PUBLISHED_PACKAGES} order, and the time taken.
 * @throws Error when pnpm fails (with the end of its output) or a package was not packed.
 */
export async function packPublishedPackages(destination: string): Promise<PackResult> {
  const pnpm = pinnedPnpm();
  const filters = PUBLISHED_PACKAGES.flatMap((pkg) => ["--filter", pkg.name]);
  const result = await runCommand(
    pnpm.file,
    [...pnpm.args, "--recursive", ...filters, "pack", "--pack-destination", destination, "--json"],
    { cwd: WORKSPACE_ROOT, env: consumerEnv(), timeoutMs: 300_000 },
  );
  if (result.code !== 0) throw new Error(describeFailure("pnpm -r pack", result));
  // pnpm may print notices before the JSON document.
  const reports = JSON.parse(result.stdout.slice(result.stdout.indexOf("["))) as {
    name: string;
    version: string;
    filename: string;
  }[];
  const packages = PUBLISHED_PACKAGES.map((pkg) => {
    const report = reports.find((r) => r.name === pkg.name);
    if (report === undefined) throw new Error(`pnpm -r pack did not pack ${pkg.name} (${pkg.dir})`);
    return { name: report.name, version: report.version, tarball: report.filename };
  });
  return { packages, durationMs: result.durationMs };
}
