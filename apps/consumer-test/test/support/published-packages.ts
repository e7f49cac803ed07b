import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The workspace root (this app is `apps/consumer-test`). */
export const WORKSPACE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");

/** One package Tidemark publishes to npm. */
export interface PublishedPackage {
  /** Its npm name, for example `@tidemark/core`. */
  readonly name: string;
  /** Its directory, relative to the workspace root. */
  readonly dir: string;
}

/** Every package a consumer installs, in dependency order. */
export const PUBLISHED_PACKAGES: readonly PublishedPackage[] = [
  { name: "@tidemark/state", dir: "packages/state" },
  { name: "@tidemark/config", dir: "packages/config" },
  { name: "@tidemark/api-client", dir: "packages/api-client" },
  { name: "@tidemark/ui", dir: "apps/ui" },
  { name: "@tidemark/core", dir: "packages/core" },
  { name: "@tidemark/task-sdk", dir: "packages/task-sdk" },
  { name: "@tidemark/provider-common-io", dir: "packages/provider-common-io" },
  { name: "@tidemark/testkit", dir: "packages/testkit" },
];

/**
 * The workspace packages whose package.json is not `private`, that is what `changeset publish` would
 * publish, so the list above can be checked against the workspace.
 *
 * @returns their names, sorted.
 */
export function publicWorkspacePackages(): string[] {
  const names: string[] = [];
  for (const group of ["packages", "apps"]) {
    for (const entry of readdirSync(join(WORKSPACE_ROOT, group), { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      let manifest: { name?: string; private?: boolean };
      try {
        manifest = JSON.parse(readFileSync(join(WORKSPACE_ROOT, group, entry.name, "package.json"), "utf8"));
      } catch {
        continue;
      }
      if (manifest.private !== true && manifest.name !== undefined) names.push(manifest.name);
    }
  }
  return names.sort();
}
