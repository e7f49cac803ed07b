import { assetDeactivated, isStateStoreError } from "@tidemark/state";
import type { TidemarkDatabase } from "../database/tidemark-database.js";
import { getAssetByName, registerAsset } from "../metadata/assets.js";
import { createTaskInstance, findTaskInstance } from "../metadata/task-instances.js";
import type { ImportScopeHooks } from "./state-export.js";

/**
 * Import hooks that create what is missing in the metastore: a task instance in its line's region (with
 * its dag run; state null, Airflow's "none", and no inlets or outlets) and an asset (registered active with the exported
 * uri). A deactivated asset is not reactivated behind the operator's back: it fails the import.
 *
 * @param database - the metastore.
 * @returns the hooks for `importState`.
 */
export function metastoreImportHooks(database: TidemarkDatabase): ImportScopeHooks {
  return {
    async ensureTaskInstance(target) {
      // The target carries its region, so each region's task instance is found or created apart.
      if ((await findTaskInstance(database, target)) !== null) return false;
      try {
        await createTaskInstance(database, { ...target, state: null });
        return true;
      } catch (error) {
        // Created meanwhile by another process: it exists, which is all the import needs.
        if (isStateStoreError(error) && error.code === "CONFLICT") return false;
        throw error;
      }
    },
    async ensureAsset(name, uri) {
      const existing = await getAssetByName(database, name);
      if (existing === null) return { id: (await registerAsset(database, { name, uri })).id, created: true };
      if (!existing.active) throw assetDeactivated(name, existing.id);
      return { id: existing.id, created: false };
    },
  };
}
