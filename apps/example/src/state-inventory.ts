import { stat } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import type { TidemarkDatabase } from "@tidemark/core";
import type { StateStoreObjectStorageBackend } from "@tidemark/provider-common-io";
import { refFromStoredText, utf8ByteLength } from "@tidemark/state";

/** One state key as the metastore holds it. */
export interface InventoryEntry {
  /** `asset:<name>` or `task:<run_id>/<task_id>`. */
  readonly owner: string;
  readonly key: string;
  /** UTF-8 bytes of the row's value column. */
  readonly storedBytes: number;
  /** The object reference when the row holds only the `{"__airflow_state_ref__": …}` envelope. */
  readonly ref?: string;
  /** Offloaded: UTF-8 bytes of the value's JSON text in the object. */
  readonly valueBytes?: number;
  /** Offloaded: size of the object (compressed); exact for file://, a local gzip of the text for s3://. */
  readonly objectBytes?: number;
  readonly objectBytesExact?: boolean;
}

/** Inline and offloaded state keys of the pipeline, counted from the metastore's rows. */
export interface StateInventory {
  readonly inline: readonly InventoryEntry[];
  readonly offloaded: readonly InventoryEntry[];
  /** Task state rows of the dag left in the metastore (0 when clear_on_success cleared them). */
  readonly taskStateRows: number;
}

/**
 * Reads the rows of the asset's state and of the dag's task state straight from the metastore and sorts
 * each key into inline (the value itself is in the row) or offloaded (the row holds only an envelope; the
 * object is read back through the worker backend to measure it).
 *
 * @param options - the metastore, the worker backend, the asset name and the dag id.
 * @returns the inventory.
 */
export async function takeStateInventory(options: {
  database: TidemarkDatabase;
  backend: StateStoreObjectStorageBackend;
  assetName: string;
  dagId: string;
}): Promise<StateInventory> {
  const { db } = options.database;
  const assetRows = await db
    .selectFrom("asset_state_store")
    .innerJoin("asset", "asset.id", "asset_state_store.asset_id")
    .select(["asset.name as name", "asset_state_store.key as key", "asset_state_store.value as value"])
    .where("asset.name", "=", options.assetName)
    .orderBy("asset_state_store.key")
    .execute();
  const taskRows = await db
    .selectFrom("task_state_store")
    .select(["run_id", "task_id", "key", "value"])
    .where("dag_id", "=", options.dagId)
    .orderBy("run_id")
    .orderBy("task_id")
    .orderBy("key")
    .execute();
  const rows = [
    ...assetRows.map((r) => ({
      owner: `asset:${r.name}`,
      key: r.key,
      value: r.value,
      kind: "asset" as const,
    })),
    ...taskRows.map((r) => ({
      owner: `task:${r.run_id}/${r.task_id}`,
      key: r.key,
      value: r.value,
      kind: "task" as const,
    })),
  ];
  const inline: InventoryEntry[] = [];
  const offloaded: InventoryEntry[] = [];
  for (const row of rows) {
    const ref = refFromStoredText(row.value);
    const storedBytes = utf8ByteLength(row.value);
    if (ref === undefined) {
      inline.push({ owner: row.owner, key: row.key, storedBytes });
      continue;
    }
    const value =
      row.kind === "asset"
        ? await options.backend.deserializeAssetStateStoreFromRef(ref)
        : await options.backend.deserializeTaskStateStoreFromRef(ref);
    const text = JSON.stringify(value);
    let objectBytes: number;
    let objectBytesExact = true;
    if (ref.startsWith("file:")) objectBytes = (await stat(fileURLToPath(ref))).size;
    else {
      objectBytes = ref.endsWith(".gz") ? gzipSync(text).length : utf8ByteLength(text);
      objectBytesExact = false;
    }
    offloaded.push({
      owner: row.owner,
      key: row.key,
      storedBytes,
      ref,
      valueBytes: utf8ByteLength(text),
      objectBytes,
      objectBytesExact,
    });
  }
  return { inline, offloaded, taskStateRows: taskRows.length };
}
