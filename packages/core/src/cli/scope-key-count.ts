import { assetDeactivated, NO_REGION_ID, requireRegionId, taskInstanceNotFound } from "@tidemark/state";
import type { StateStoreAccess } from "../state-admin/state-store-access.js";
import type { AssetSummaryJson } from "../state-admin/wire-types.js";
import type { ScopeChoice } from "./state-store-target.js";

const PAGE = 1000;

/**
 * Counts the live keys a clear of `scope` would delete, failing as the clear would before anything is
 * asked or deleted. Task scopes are counted from the dag run's task instance listing (its
 * `state_key_count`), so backends that cannot list keys are counted too.
 *
 * @param access - where the state is.
 * @param scope - a task instance, every map index of a task, or an asset.
 * @param asset - the asset, when `scope` is one (as `findAsset` answered).
 * @returns the number of live keys.
 * @throws StateStoreError `DAG_RUN_NOT_FOUND`, `TASK_INSTANCE_NOT_FOUND`; `ASSET_NOT_FOUND` for a
 *   deactivated asset (its state is read-only).
 */
export async function scopeKeyCount(
  access: StateStoreAccess,
  scope: ScopeChoice,
  asset?: AssetSummaryJson,
): Promise<number> {
  if (scope.kind === "asset") {
    const found = asset as AssetSummaryJson;
    if (!found.active) throw assetDeactivated(found.name, found.id);
    return found.state_key_count;
  }
  const { target, allMapIndices } = scope;
  const regionId = requireRegionId(target.regionId);
  const mapIndex = target.mapIndex ?? -1;
  let count = 0;
  let matched = 0;
  for (let offset = 0; ; offset += PAGE) {
    const page = await access.listTaskInstances(target.dagId, target.runId, {
      limit: PAGE,
      offset,
      search: target.taskId,
    });
    for (const ti of page.task_instances) {
      if (ti.task_id !== target.taskId || (ti.region_id ?? NO_REGION_ID) !== regionId) continue;
      if (!allMapIndices && ti.map_index !== mapIndex) continue;
      matched++;
      count += ti.state_key_count;
    }
    if (page.task_instances.length < PAGE) break;
  }
  if (matched === 0) {
    throw taskInstanceNotFound({
      dagId: target.dagId,
      runId: target.runId,
      taskId: target.taskId,
      mapIndex: allMapIndices ? "all" : mapIndex,
    });
  }
  return count;
}
