#!/usr/bin/env node
// Packs every published workspace package (every one not marked private) exactly as `pnpm publish` would
// and checks the tarball a user installs, not the workspace folder:
// - Tidemark's own rules: a README, no *.tsbuildinfo, every source map's sources inside the tarball, no
//   `workspace:` / `catalog:` left in the packed manifest;
// - publint, strict (warnings fail; suggestions are printed and fail too, so none accumulate);
// - are-the-types-wrong with the esm-only profile: the packages are ESM only ("type": "module", no
//   `require` condition), so CommonJS resolution (node10, node16 from CJS) is out of scope by design;
//   a package without types (the UI ships a built web app, no JavaScript API) is not checked by attw;
// - every ```ts example of their READMEs compiles against the built packages (check-readme-examples.mjs).
// Usage: pnpm check-packages [--no-build] [package name…]
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import { checkReadmeExamples } from "./check-readme-examples.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const build = !args.includes("--no-build");
const only = args.filter((arg) => !arg.startsWith("--"));
const bin = (name) => join(root, "node_modules", ".bin", name);

/** The pnpm running this script, else the pinned one through npx. */
function pnpmCommand() {
  const execPath = process.env.npm_execpath;
  if (execPath?.includes("pnpm")) return [process.execPath, [execPath]];
  const { packageManager } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  return ["npx", ["-y", packageManager]];
}

function workspacePackages() {
  const found = [];
  for (const group of ["packages", "apps"]) {
    for (const name of readdirSync(join(root, group)).sort()) {
      const manifestPath = join(root, group, name, "package.json");
      if (!existsSync(manifestPath)) continue;
      const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
      found.push({ dir: join(root, group, name), manifest });
    }
  }
  return found;
}

function listFiles(dir) {
  const files = [];
  const walk = (current) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.push(relative(dir, path).split(sep).join("/"));
    }
  };
  walk(dir);
  return files.sort();
}

const DEPENDENCY_FIELDS = ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"];

/** Tidemark's own rules over the unpacked tarball; returns the problems found. */
function ownChecks(unpacked, files) {
  const problems = [];
  if (!files.includes("README.md")) problems.push("no README.md: the npm page would be blank");
  for (const file of files.filter((f) => f.endsWith(".tsbuildinfo"))) {
    problems.push(`${file} is build state, not for users: keep it out with a "!…" entry in files`);
  }
  const fileSet = new Set(files);
  for (const file of files.filter((f) => f.endsWith(".map"))) {
    const map = JSON.parse(readFileSync(join(unpacked, file), "utf8"));
    const base = join(dirname(file), map.sourceRoot ?? "");
    for (const source of map.sources ?? []) {
      const target = join(base, source).split(sep).join("/");
      if (!fileSet.has(target)) problems.push(`${file} maps to ${target}, which is not in the tarball`);
    }
  }
  const manifest = JSON.parse(readFileSync(join(unpacked, "package.json"), "utf8"));
  for (const field of DEPENDENCY_FIELDS) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (/^(workspace|catalog):/.test(range)) {
        problems.push(`${field}.${name} is still "${range}" in the packed package.json`);
      }
    }
  }
  return { problems, manifest };
}

function hasTypes(manifest) {
  if (manifest.types || manifest.typings) return true;
  return JSON.stringify(manifest.exports ?? {}).includes('"types"');
}

const all = workspacePackages();
const published = all.filter(
  ({ manifest }) => manifest.private !== true && (only.length === 0 || only.includes(manifest.name)),
);
const skipped = all.filter(({ manifest }) => manifest.private === true).map(({ manifest }) => manifest.name);
if (published.length === 0) {
  console.error(`no published package matches ${only.join(", ") || "the workspace"}`);
  process.exit(1);
}
console.log(`== packages: ${published.map(({ manifest }) => manifest.name).join(", ")}`);
if (skipped.length > 0) console.log(`   private, not published: ${skipped.join(", ")}`);

if (build) {
  const filters = published.flatMap(({ manifest }) => ["--filter", manifest.name]);
  execFileSync(bin("turbo"), ["run", "build", "--output-logs=errors-only", ...filters], {
    cwd: root,
    stdio: "inherit",
  });
}

const [pnpm, pnpmArgs] = pnpmCommand();
const work = mkdtempSync(join(tmpdir(), "tidemark-check-packages-"));
const summary = [];
let failed = 0;
try {
  for (const { dir, manifest: source } of published) {
    const name = source.name;
    const dest = mkdtempSync(join(work, "pack-"));
    execFileSync(pnpm, [...pnpmArgs, "pack", "--pack-destination", dest], { cwd: dir, stdio: "pipe" });
    const tarball = readdirSync(dest).find((file) => file.endsWith(".tgz"));
    if (tarball === undefined) throw new Error(`pnpm pack wrote no tarball for ${name}`);
    const tarballPath = join(dest, tarball);
    const unpackedRoot = mkdtempSync(join(work, "unpacked-"));
    execFileSync("tar", ["xzf", tarballPath, "-C", unpackedRoot]);
    const unpacked = join(unpackedRoot, "package");
    const files = listFiles(unpacked);
    const problems = [];

    const own = ownChecks(unpacked, files);
    problems.push(...own.problems);

    const bytes = readFileSync(tarballPath);
    const lint = await publint({
      pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) },
      strict: true,
      level: "suggestion",
    });
    for (const message of lint.messages) {
      problems.push(`publint ${message.type}: ${formatMessage(message, lint.pkg, { color: false })}`);
    }

    let attw = "skipped (no types)";
    if (hasTypes(own.manifest)) {
      const result = spawnSync(
        bin("attw"),
        [tarballPath, "--profile", "esm-only", "--format", "ascii", "--no-emoji", "--no-color"],
        { encoding: "utf8" },
      );
      if (result.status === 0) attw = "ok";
      else {
        attw = "failed";
        problems.push(`are-the-types-wrong:\n${result.stdout}${result.stderr}`);
      }
    }

    const size = statSync(tarballPath).size;
    summary.push({ name, files: files.length, kB: (size / 1024).toFixed(1), attw });
    if (problems.length > 0) {
      failed += 1;
      console.log(`\n✗ ${name}`);
      for (const problem of problems) console.log(`  - ${problem}`);
    } else {
      console.log(`✓ ${name}: ${files.length} files, ${(size / 1024).toFixed(1)} kB packed, attw ${attw}`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

console.table(summary);
try {
  console.log(`✓ all ${checkReadmeExamples()} README examples compile against the built packages`);
} catch (error) {
  failed += 1;
  console.log(`\n✗ ${error.message}`);
}
if (failed > 0) {
  console.error(`the packages would publish with problems: ${failed} listed above`);
  process.exit(1);
}
console.log(`all ${published.length} packages pack cleanly`);
