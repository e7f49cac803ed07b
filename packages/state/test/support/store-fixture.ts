import { assetScope, taskScope } from "../../src/scope.js";
import { createStateStore, type StateStore, type StateStoreSettings } from "../../src/state-store.js";
import { type FakeClock, fakeClock, MapBackend, type MapBackendOptions } from "./map-backend.js";

/** A task scope and an asset scope for tests. */
export const TASK = taskScope({ dagId: "d", runId: "r", taskId: "t" });
export const ASSET = assetScope({ assetId: 7, name: "flights" });

/** What {@link storeFixture} builds. */
export interface StoreFixture {
  readonly clock: FakeClock;
  readonly backend: MapBackend;
  readonly store: StateStore;
}

/**
 * A state store over a fresh {@link MapBackend}, both on one fake clock.
 *
 * @param settings - the store's settings (`now` is the fake clock's).
 * @param backendOptions - the backend's capabilities and behaviour.
 */
export function storeFixture(
  settings: StateStoreSettings = {},
  backendOptions: Omit<MapBackendOptions, "now"> = {},
): StoreFixture {
  const clock = fakeClock();
  const backend = new MapBackend({ ...backendOptions, now: clock.now });
  const store = createStateStore(backend, { now: clock.now, ...settings });
  return { clock, backend, store };
}
