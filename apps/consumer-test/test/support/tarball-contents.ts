import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { listFiles } from "@tidemark/testkit/temp-dir";
import { extract } from "tar";

/** What is wrong with one package tarball; every list empty and `hasReadme` true for a good one. */
export interface TarballReport {
  /** Paths inside the package, as `package/…` minus the prefix. */
  readonly files: readonly string[];
  /** Whether `README.md` is at the package root. */
  readonly hasReadme: boolean;
  /** `*.tsbuildinfo` files (build caches that mean nothing to a consumer). */
  readonly buildInfoFiles: readonly string[];
  /** Source maps naming a source that is neither in the tarball nor embedded (`sourcesContent`). */
  readonly brokenSourceMaps: readonly { readonly map: string; readonly missing: readonly string[] }[];
  /** Files whose `sourceMappingURL` names a map that is not in the tarball. */
  readonly danglingMapReferences: readonly string[];
  /** Dependency specifiers pnpm should have rewritten: `workspace:` and `catalog:`. */
  readonly unresolvedSpecifiers: readonly string[];
}

const DEPENDENCY_FIELDS = [
  "dependencies",
  "devDependencies",
  "peerDependencies",
  "optionalDependencies",
] as const;

// Only the last line: a bundle may quote the comment in its code.
const MAPPING_URL = /^\/[/*][#@] sourceMappingURL=([^\s*]+)/;

function lastLine(text: string): string {
  return text.trimEnd().split("\n").pop() ?? "";
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== "" && !rel.startsWith(`..${sep}`) && rel !== "..";
}

function missingSources(root: string, mapFile: string): string[] {
  const map = JSON.parse(readFileSync(mapFile, "utf8")) as {
    sources?: string[];
    sourceRoot?: string;
    sourcesContent?: (string | null)[];
  };
  const base = join(dirname(mapFile), map.sourceRoot ?? "");
  return (map.sources ?? []).filter((source, i) => {
    if (typeof map.sourcesContent?.[i] === "string") return false;
    const path = resolve(base, source);
    return !inside(root, path) || !existsSync(path);
  });
}

/**
 * Unpacks a package tarball (with node-tar) and reports what a consumer would trip over: a missing
 * README.md, `*.tsbuildinfo` files, source maps whose sources are not shipped, `sourceMappingURL`
 * comments naming absent maps, and `workspace:` / `catalog:` specifiers left in package.json.
 *
 * @param tarball - the `.tgz` file.
 * @param into - an empty directory to unpack into.
 * @returns the report.
 */
export async function inspectTarball(tarball: string, into: string): Promise<TarballReport> {
  mkdirSync(into, { recursive: true });
  await extract({ file: tarball, cwd: into });
  const root = join(into, "package");
  const absolute = await listFiles(root);
  const files = absolute.map((path) => relative(root, path).split(sep).join("/"));

  const brokenSourceMaps: { map: string; missing: string[] }[] = [];
  const danglingMapReferences: string[] = [];
  for (const [i, path] of absolute.entries()) {
    const name = files[i] as string;
    if (name.endsWith(".map")) {
      const missing = missingSources(root, path);
      if (missing.length > 0) brokenSourceMaps.push({ map: name, missing });
    } else if (/\.(?:[cm]?js|d\.[cm]?ts)$/.test(name)) {
      const url = MAPPING_URL.exec(lastLine(readFileSync(path, "utf8")))?.[1];
      if (url !== undefined && !url.startsWith("data:") && !existsSync(resolve(dirname(path), url))) {
        danglingMapReferences.push(`${name} -> ${url}`);
      }
    }
  }

  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as Record<
    string,
    Record<string, string> | undefined
  >;
  const unresolvedSpecifiers = DEPENDENCY_FIELDS.flatMap((field) =>
    Object.entries(manifest[field] ?? {})
      .filter(([, spec]) => spec.startsWith("workspace:") || spec.startsWith("catalog:"))
      .map(([dep, spec]) => `${field}.${dep}: ${spec}`),
  );

  return {
    files,
    hasReadme: files.includes("README.md"),
    buildInfoFiles: files.filter((name) => name.endsWith(".tsbuildinfo")),
    brokenSourceMaps,
    danglingMapReferences,
    unresolvedSpecifiers,
  };
}
