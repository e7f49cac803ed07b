#!/usr/bin/env node
// Type-checks every ```ts block of the published packages' READMEs against the built packages, as a user
// would import them: a project outside the workspace whose node_modules/@tidemark/* link to the package
// folders, so imports resolve through each package's `exports` to its dist/*.d.ts. A block that is a
// fragment on purpose (it names the reader's own backend, say) is preceded by
// `<!-- not type-checked: why -->`. Needs the packages built. Usage: node .ci/check-readme-examples.mjs
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SKIP = /<!--\s*not type-checked:[^>]*-->\s*$/;

/** The ```ts blocks of one README, each with its line number; blocks marked as fragments are left out. */
export function readmeExamples(text) {
  const examples = [];
  const pattern = /```ts\n([\s\S]*?)```/g;
  for (const match of text.matchAll(pattern)) {
    if (SKIP.test(text.slice(0, match.index))) continue;
    examples.push({ line: text.slice(0, match.index).split("\n").length + 1, code: match[1] });
  }
  return examples;
}

function packageDirs() {
  const dirs = [];
  for (const group of ["packages", "apps"]) {
    for (const name of readdirSync(join(root, group)).sort()) {
      const manifestPath = join(root, group, name, "package.json");
      if (!existsSync(manifestPath)) continue;
      const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
      if (manifest.private !== true) dirs.push({ dir: join(root, group, name), name: manifest.name });
    }
  }
  return dirs;
}

/**
 * Checks every example; returns the number of examples checked.
 *
 * @throws Error naming the README lines whose examples do not compile, with the compiler's output.
 */
export function checkReadmeExamples() {
  const packages = packageDirs();
  const project = mkdtempSync(join(tmpdir(), "tidemark-readme-examples-"));
  try {
    const scope = join(project, "node_modules", "@tidemark");
    mkdirSync(scope, { recursive: true });
    for (const { dir, name } of packages) symlinkSync(dir, join(project, "node_modules", name), "dir");
    // @types/node for `process`, from any package that has it.
    const typesNode = join(root, "packages", "state", "node_modules", "@types", "node");
    mkdirSync(join(project, "node_modules", "@types"), { recursive: true });
    symlinkSync(typesNode, join(project, "node_modules", "@types", "node"), "dir");
    writeFileSync(join(project, "package.json"), JSON.stringify({ type: "module", private: true }));

    const sources = new Map();
    for (const { dir } of packages) {
      const readme = join(dir, "README.md");
      if (!existsSync(readme)) continue;
      for (const { line, code } of readmeExamples(readFileSync(readme, "utf8"))) {
        const file = `${relative(root, dir).replaceAll("/", "-")}-line-${line}.ts`;
        // `export {}` makes each example a module of its own, so their top-level names never clash.
        writeFileSync(join(project, file), `export {};\n${code}`);
        sources.set(file, `${relative(root, readme)}:${line}`);
      }
    }
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          lib: ["ES2023"],
          module: "NodeNext",
          moduleResolution: "NodeNext",
          types: ["node"],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
        },
        include: [...sources.keys()],
      }),
    );
    try {
      execFileSync(
        process.execPath,
        [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", project],
        {
          cwd: project,
          encoding: "utf8",
          stdio: "pipe",
        },
      );
    } catch (error) {
      let output = `${error.stdout ?? ""}${error.stderr ?? ""}`;
      for (const [file, where] of sources) output = output.replaceAll(file, `${where} (example)`);
      throw new Error(`README examples that do not compile against the built packages:\n${output}`);
    }
    return sources.size;
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    console.log(`all ${checkReadmeExamples()} README examples compile against the built packages`);
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
