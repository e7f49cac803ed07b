// TypeDoc over the published packages' entry points (packages mode: each package's `exports`, mapped to
// its sources through its tsconfig.build.json). Run with `pnpm run docs`; the output is gitignored.
import { Application, Converter, OptionDefaults, ReflectionKind } from "typedoc";

const packages = ["state", "config", "api-client", "core", "task-sdk", "provider-common-io", "testkit"];
const names = packages.map((name) => `@tidemark/${name}`);
// Every exported declaration, and every member of an exported interface or type, must carry TSDoc.
const requiredToBeDocumented = OptionDefaults.requiredToBeDocumented;
// Every type a public signature uses must be exported by an entry point. No intentionallyNotExported
// list: packages mode validates each package on its own, so a list shared by all would warn as unused in
// every other package; the packages export what their signatures use, or mark it @hidden.
const validation = { notExported: true, notDocumented: true, invalidLink: true };

// The wire types openapi-typescript writes from the OpenAPI documents; never edited by hand.
const GENERATED = { packageName: "@tidemark/api-client", directory: "src/generated/" };

/**
 * Exempts the generated wire types' undocumented members from the notDocumented check. They carry the
 * OpenAPI schemas' descriptions; their structural members (`parameters`, `responses`, `content`, …) and
 * fields the server's schemas do not describe carry none, and cannot be given one here.
 *
 * @param {import("typedoc").Application} app
 */
function exemptGeneratedMembers(app) {
  // Each package is validated after its conversion (packages mode swaps in the package's own options
  // first), and the merged project once more with the root options: exempt the members in both. Last in
  // line, once every other plugin has placed its comments.
  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => exemptIn(app, context.project), -100);
  app.on(Application.EVENT_PROJECT_REVIVE, (project) => exemptIn(app, project), -100);
}

function exemptIn(app, project) {
  const exempt = new Set(app.options.getValue("intentionallyNotDocumented"));
  for (const reflection of project.getReflectionsByKind(ReflectionKind.Property)) {
    if (reflection.hasComment() || insideParameter(reflection)) continue;
    const id = project.getSymbolIdFromReflection(reflection);
    if (id?.packageName === GENERATED.packageName && id.packagePath.startsWith(GENERATED.directory)) {
      exempt.add(reflection.getFriendlyFullName());
    }
  }
  app.options.setValue("intentionallyNotDocumented", [...exempt]);
}

// The notDocumented check skips members of parameter types; listing one would warn as unused.
function insideParameter(reflection) {
  for (let parent = reflection.parent; parent; parent = parent.parent) {
    if (parent.kindOf(ReflectionKind.Parameter)) return true;
  }
  return false;
}

// The READMEs show tidemark.toml.
const highlightLanguages = [...OptionDefaults.highlightLanguages, "toml"];

/** @type {Partial<import("typedoc").TypeDocOptions>} */
export default {
  name: "Tidemark API reference",
  entryPointStrategy: "packages",
  entryPoints: packages.map((name) => `../packages/${name}`),
  plugin: [exemptGeneratedMembers],
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
