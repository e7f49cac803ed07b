import { assetScope, type TaskScope } from "@tidemark/state";
import type { StoreBackendConformanceOptions } from "@tidemark/testkit";
import {
  createTaskInstance,
  findTaskInstance,
  MetastoreBackend,
  registerAsset,
  type TidemarkDatabase,
} from "../../src/index.js";

/** An open, migrated database and how to throw it away. */
export interface Opened {
  database: TidemarkDatabase;
  dispose(): Promise<void>;
}

/**
 * The conformance harness of MetastoreBackend over databases made by `open` (one per test).
 *
 * @param open - makes a fresh, migrated database.
 */
export function metastoreConformanceHarness(
  open: () => Promise<Opened>,
): StoreBackendConformanceOptions<MetastoreBackend> {
  const disposers = new WeakMap<MetastoreBackend, () => Promise<void>>();
  return {
    async create() {
      const { database, dispose } = await open();
      const backend = new MetastoreBackend({ database });
      disposers.set(backend, dispose);
      return backend;
    },
    async dispose(backend) {
      await backend.close();
      await disposers.get(backend)?.();
    },
    async prepareTaskScope(backend, scope: TaskScope) {
      const existing = await findTaskInstance(backend.database, scope);
      if (existing === null) await createTaskInstance(backend.database, scope);
      return scope;
    },
    async prepareAssetScope(backend, asset, identity) {
      const record = await registerAsset(backend.database, asset);
      if (identity === "assetId") return assetScope({ assetId: record.id });
      return identity === "name" ? assetScope({ name: record.name }) : assetScope({ uri: record.uri });
    },
  };
}
