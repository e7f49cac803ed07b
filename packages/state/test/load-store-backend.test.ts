import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadStoreBackend, parseBackendSpec } from "../src/load-store-backend.js";
import { isStateStoreError } from "../src/state-store-error.js";

const context = { config: { custom: { greeting: "hi" } } };

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

describe("loadStoreBackend", () => {
  const dir = mkdtempSync(join(tmpdir(), "tidemark-load-"));
  const backendSource = `
    export class Custom {
      constructor(ctx) { this.ctx = ctx; }
      async get() { return null } async set() {} async delete() {} async clear() {}
    }
    export function createCustom(ctx) { const b = new Custom(ctx); b.viaFactory = true; return b; }
    export const notABackend = { hello: 1 };
  `;
  writeFileSync(join(dir, "custom.mjs"), backendSource);

  it("constructs a class export with the context", async () => {
    const b = (await loadStoreBackend("./custom.mjs#Custom", { context, cwd: dir })) as unknown as {
      ctx: unknown;
    };
    expect(b.ctx).toBe(context);
  });
  it("calls a factory export", async () => {
    const b = (await loadStoreBackend("./custom.mjs#createCustom", { context, cwd: dir })) as unknown as {
      viaFactory: boolean;
    };
    expect(b.viaFactory).toBe(true);
  });
  it.each([
    ["./missing.mjs#X", "could not be imported"],
    ["./custom.mjs#Nope", 'has no export "Nope" (it exports Custom, createCustom, notABackend)'],
    ["./custom.mjs#notABackend", "is not a state store backend"],
  ])("fails %s with CONFIG_ERROR naming the option", async (spec, words) => {
    const err = await loadStoreBackend(spec, {
      context,
      cwd: dir,
      option: "workers.state_store_backend",
    }).catch((e: unknown) => e);
    expect(isStateStoreError(err, "CONFIG_ERROR")).toBe(true);
    expect((err as Error).message).toContain("workers.state_store_backend");
    expect((err as Error).message).toContain(words);
  });
});
