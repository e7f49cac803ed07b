import type { TidemarkDatabase } from "../../database/tidemark-database.js";
import type { AssetRecord } from "../../metadata/asset-record.js";
import { getAssetByName, getAssetByUri } from "../../metadata/assets.js";
import { setTaskInstanceState } from "../../metadata/task-instance-state.js";
import { getTaskInstance } from "../../metadata/task-instances.js";
import type { ExecutionAsset, ExecutionMetadata } from "./execution-metadata.js";

function asset(record: AssetRecord): ExecutionAsset {
  return { id: record.id, name: record.name, uri: record.uri };
}

/**
 * {@link ExecutionMetadata} over the metastore's metadata API: task instances with their inlets and
 * outlets, `setTaskInstanceState` (which clears task state in the same transaction when asked), and the
 * active-asset resolver (reference: "the Execution API resolver filters to active assets only").
 *
 * @param database - the metastore.
 * @returns the metadata view.
 */
export function createMetastoreExecutionMetadata(database: TidemarkDatabase): ExecutionMetadata {
  return {
    async getTaskInstance(id) {
      const ti = await getTaskInstance(database, id);
      if (ti === null) return null;
      return {
        id: ti.id,
        dagId: ti.dagId,
        runId: ti.runId,
        taskId: ti.taskId,
        regionId: ti.regionId,
        mapIndex: ti.mapIndex,
        state: ti.state,
        tryNumber: ti.tryNumber,
        inlets: ti.inlets.map(asset),
        outlets: ti.outlets.map(asset),
      };
    },
    async setTaskInstanceState(id, state, options) {
      await setTaskInstanceState(database, id, state, { clearTaskState: options.clearTaskState });
    },
    async findActiveAsset(by) {
      const record =
        "name" in by
          ? await getAssetByName(database, by.name, { activeOnly: true })
          : await getAssetByUri(database, by.uri, { activeOnly: true });
      return record === null ? null : asset(record);
    },
  };
}
