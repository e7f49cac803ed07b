import { existsSync } from "node:fs";
import { join } from "node:path";
import { isStoreBackendDefinition, isWorkerBackendDefinition } from "@tidemark/state";
import { describe, expect, it } from "vitest";
import {
  JsonFileBackend,
  jsonFileStoreBackend,
  jsonFileWorkerBackend,
} from "../examples/json-file-backend.js";
import { storeBackendSuite } from "../src/store-backend-suite.js";
import { makeTempDir } from "../src/temp-dir/temp-dir.js";
import { workerBackendSuite } from "../src/worker-backend-suite.js";

/** A backend on a fresh directory; references are paths relative to it. */
async function fixture(threshold = 0) {
  const dir = await makeTempDir("tidemark-json-file-");
  const backend = new JsonFileBackend({ directory: dir.path, threshold });
  return {
    backend,
    threshold,
    dispose: () => dir.remove(),
    objectExists: (ref: string) => existsSync(join(dir.path, ref.slice("json-file:".length))),
  };
}

storeBackendSuite({ name: "JsonFileBackend (example)", create: () => fixture() });
workerBackendSuite({ name: "JsonFileBackend (example) threshold=32", create: () => fixture(32) });

describe("JsonFileBackend definitions", () => {
  it("declares both roles over the json_file section", () => {
    expect(isStoreBackendDefinition(jsonFileStoreBackend)).toBe(true);
    expect(isWorkerBackendDefinition(jsonFileWorkerBackend)).toBe(true);
    expect(jsonFileStoreBackend.parseConfig({ directory: "/srv/state" })).toEqual({
      directory: "/srv/state",
      threshold: 0,
    });
  });
  it("names the option it refuses", () => {
    expect(() => jsonFileStoreBackend.parseConfig({})).toThrow(/json_file\.directory/);
    expect(() => jsonFileWorkerBackend.parseConfig({ directory: "d", threshold: -1 })).toThrow(
      /json_file\.threshold/,
    );
  });
});
