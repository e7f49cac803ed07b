import { describe, expect, it } from "vitest";
import {
  defineStoreBackend,
  defineWorkerBackend,
  isStoreBackendDefinition,
  isWorkerBackendDefinition,
} from "../src/define-backend.js";
import { MapBackend } from "./support/map-backend.js";
import { RecordingWorker } from "./support/recording-worker.js";

const store = defineStoreBackend({
  name: "map",
  configSection: "map",
  parseConfig: (section) => ({ flag: section.flag === true }),
  create: () => new MapBackend({ now: () => new Date() }),
});
const worker = defineWorkerBackend({
  name: "rec",
  parseConfig: () => ({}),
  create: () => new RecordingWorker(),
});

describe("defineStoreBackend / defineWorkerBackend", () => {
  it("keep the init and add the kind, frozen", () => {
    expect(store).toMatchObject({ name: "map", configSection: "map", kind: "store-backend" });
    expect(worker.kind).toBe("worker-backend");
    expect(Object.isFrozen(store)).toBe(true);
    expect(store.parseConfig({ flag: true })).toEqual({ flag: true });
  });

  it("are told apart by their brand, not by their shape", () => {
    expect(isStoreBackendDefinition(store)).toBe(true);
    expect(isWorkerBackendDefinition(store)).toBe(false);
    expect(isWorkerBackendDefinition(worker)).toBe(true);
    expect(isStoreBackendDefinition(worker)).toBe(false);
    expect(isStoreBackendDefinition({ ...store })).toBe(false);
    expect(isStoreBackendDefinition(null)).toBe(false);
    expect(isStoreBackendDefinition("map")).toBe(false);
  });

  it("create the backend", async () => {
    expect(await store.create({ flag: false }, { config: {}, cwd: "." })).toBeInstanceOf(MapBackend);
    expect(await worker.create({}, { config: {}, cwd: "." })).toBeInstanceOf(RecordingWorker);
  });
});
