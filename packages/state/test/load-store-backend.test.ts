import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type BackendCreateContext, defineStoreBackend, defineWorkerBackend } from "../src/define-backend.js";
import { loadStoreBackend, loadWorkerBackend, parseBackendSpec } from "../src/load-store-backend.js";
import { isStateStoreError, StateStoreError } from "../src/state-store-error.js";
import { BaseStoreBackend } from "../src/store-backend.js";

describe("parseBackendSpec", () => {
  it("splits module#Export and defaults to the default export", () => {
    expect(parseBackendSpec("@scope/pkg#Backend")).toEqual({ module: "@scope/pkg", exportName: "Backend" });
    expect(parseBackendSpec("./x.js")).toEqual({ module: "./x.js", exportName: "default" });
  });
  it("rejects an empty export, naming the option", () => {
    expect(() => parseBackendSpec("pkg#", "workers.state_store_backend")).toThrow(
      /workers\.state_store_backend/,
    );
  });
});

/** A backend that records what it was created from. */
class Custom extends BaseStoreBackend {
  readonly capabilities = { expiry: false, compareAndSet: false, listKeys: false };
  constructor(readonly created: { options: unknown; context: BackendCreateContext }) {
    super();
  }
  async get() {
    return null;
  }
  async set() {}
  async delete() {}
  async clear() {}
}

const definition = defineStoreBackend({
  name: "custom",
  configSection: "custom",
  parseConfig(section) {
    if (typeof section.greeting !== "string") {
      throw new StateStoreError("CONFIG_ERROR", "custom.greeting must be a string", {
        details: { option: "custom.greeting" },
      });
    }
    return { greeting: section.greeting };
  },
  create: (options, context) => new Custom({ options, context }),
});

class WithStaticDefinition extends Custom {
  static readonly definition = definition;
}

const worker = defineWorkerBackend({
  name: "worker",
  parseConfig: () => ({}),
  create: () => {
    throw new Error("not used");
  },
});

const namespace = { definition, WithStaticDefinition, worker, notABackend: { hello: 1 }, Custom };
const importModule = async (specifier: string) => {
  if (specifier === "custom") return namespace;
  throw new Error(`Cannot find module ${specifier}`);
};

describe("loadStoreBackend", () => {
  const config = { custom: { greeting: "hi" } };

  it("creates the backend of a definition from its own configuration section", async () => {
    const b = (await loadStoreBackend("custom#definition", { config, cwd: "/srv", importModule })) as Custom;
    expect(b).toBeInstanceOf(Custom);
    expect(b.created.options).toEqual({ greeting: "hi" });
    expect(b.created.context).toEqual({ config, cwd: "/srv" });
  });
  it("uses a class's static definition", async () => {
    const b = (await loadStoreBackend("custom#WithStaticDefinition", { config, importModule })) as Custom;
    expect(b.created.options).toEqual({ greeting: "hi" });
  });
  it("passes the provider's own CONFIG_ERROR for its section through", async () => {
    const err = await loadStoreBackend("custom#definition", { config: {}, importModule }).catch((e) => e);
    expect(isStateStoreError(err, "CONFIG_ERROR")).toBe(true);
    expect((err as StateStoreError).details.option).toBe("custom.greeting");
  });
  it("loads a worker definition with loadWorkerBackend only", async () => {
    const err = await loadStoreBackend("custom#worker", { config, importModule }).catch((e) => e);
    expect(isStateStoreError(err, "CONFIG_ERROR")).toBe(true);
    expect((err as Error).message).toContain("defines a worker backend");
    const err2 = await loadWorkerBackend("custom#definition", { config, importModule }).catch((e) => e);
    expect((err2 as Error).message).toContain("defines a server backend");
  });
  it("imports a real module file relative to cwd", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tidemark-load-"));
    writeFileSync(join(dir, "plain.mjs"), "export const nothing = 1;\n");
    const err = await loadStoreBackend("./plain.mjs#nothing", { config, cwd: dir }).catch((e) => e);
    expect((err as Error).message).toContain("is not a backend definition");
  });
  it.each([
    ["./missing.mjs#X", "could not be imported"],
    [
      "custom#Nope",
      'has no export "Nope" (it exports definition, WithStaticDefinition, worker, notABackend, Custom)',
    ],
    ["custom#notABackend", "is not a backend definition; export one made with defineStoreBackend"],
    ["custom#Custom", "is not a backend definition"],
  ])("fails %s with CONFIG_ERROR naming the option", async (spec, words) => {
    const err = await loadStoreBackend(spec, {
      config,
      cwd: tmpdir(),
      option: "workers.state_store_backend",
      importModule: spec.startsWith("./") ? undefined : importModule,
    }).catch((e: unknown) => e);
    expect(isStateStoreError(err, "CONFIG_ERROR")).toBe(true);
    expect((err as Error).message).toContain("workers.state_store_backend");
    expect((err as Error).message).toContain(words);
  });
});
