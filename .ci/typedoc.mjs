// TypeDoc over the published packages' entry points (packages mode: each package's `exports`, mapped to
// its sources through its tsconfig.build.json). Run with `pnpm run docs`; the output is gitignored.
import { OptionDefaults } from "typedoc";

const packages = ["state", "config", "api-client", "core", "task-sdk", "provider-common-io", "testkit"];
const names = packages.map((name) => `@tidemark/${name}`);
// TIDEMARK_DOCS_STRICT=1 also requires TSDoc on interface members and flags types public signatures use
// but no entry point exports; not yet met, so that run lists the gaps and fails.
const strict = process.env.TIDEMARK_DOCS_STRICT === "1";
// Every exported declaration must carry TSDoc.
const requiredToBeDocumented = strict
  ? OptionDefaults.requiredToBeDocumented
  : OptionDefaults.requiredToBeDocumented.filter((kind) => kind !== "Property");
// notExported is off by default: packages mode validates each package on its own, so an
// intentionallyNotExported list shared by all would warn as unused in every other package.
const validation = { notExported: strict, notDocumented: true, invalidLink: true };

// The READMEs show tidemark.toml.
const highlightLanguages = [...OptionDefaults.highlightLanguages, "toml"];

/** @type {Partial<import("typedoc").TypeDocOptions>} */
export default {
  name: "Tidemark API reference",
  entryPointStrategy: "packages",
  entryPoints: packages.map((name) => `../packages/${name}`),
  packageOptions: {
    tsconfig: "tsconfig.build.json",
    readme: "README.md",
    // openapi-typescript writes @description into the generated wire types.
    blockTags: [...OptionDefaults.blockTags, "@description"],
    // The options below are per package too: packages mode validates each package on its own.
    validation,
    requiredToBeDocumented,
    packagesRequiringDocumentation: names,
    disableSources: true,
  },
  readme: "../README.md",
  highlightLanguages,
  out: "../node_modules/.cache/tidemark-docs",
  includeVersion: true,
  // No hosted repository to link sources to.
  disableSources: true,
  excludePrivate: true,
  excludeInternal: true,
  validation,
  requiredToBeDocumented,
  packagesRequiringDocumentation: names,
  treatWarningsAsErrors: true,
};
