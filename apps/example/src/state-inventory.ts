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

/** One task state key of the dag, with its value. */
export interface TaskStateKey {
  readonly runId: string;
  readonly taskId: string;
  readonly mapIndex: number;
  readonly key: string;
  /** The value (read back through the worker backend when offloaded). */
  readonly value: unknown;
}

/** Inline and offloaded state keys of the pipeline, counted from the metastore's rows. */
export interface StateInventory {
  readonly inline: readonly InventoryEntry[];
  readonly offloaded: readonly InventoryEntry[];
  /** Task state rows of the dag in the metastore, whoever wrote them. */
  readonly taskStateRows: number;
  /** The task state keys of the dag, by run, task and key. */
  readonly taskKeys: readonly TaskStateKey[];
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
    .select(["run_id", "task_id", "map_index", "key", "value"])
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
  const values: unknown[] = [];
  for (const row of rows) {
    const ref = refFromStoredText(row.value);
    const storedBytes = utf8ByteLength(row.value);
    if (ref === undefined) {
      inline.push({ owner: row.owner, key: row.key, storedBytes });
      values.push(parseStored(row.value));
      continue;
    }
    const value =
      row.kind === "asset"
        ? await options.backend.deserializeAssetStateStoreFromRef(ref)
        : await options.backend.deserializeTaskStateStoreFromRef(ref);
    values.push(value);
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
  const taskKeys = taskRows.map((r, i) => ({
    runId: r.run_id,
    taskId: r.task_id,
    mapIndex: r.map_index,
    key: r.key,
    value: values[assetRows.length + i],
  }));
  return { inline, offloaded, taskStateRows: taskRows.length, taskKeys };
}

/** A row's value column as JSON; text that is not JSON (a hand-made row) is kept as the text. */
function parseStored(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
