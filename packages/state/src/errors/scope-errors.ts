import { pythonRepr } from "../python-repr.js";
import { StateStoreError } from "../state-store-error.js";

/** How a caller named an asset: by the metastore's id, its name or its URI. */
export type AssetSelector =
  | {
      /** The metastore's integer asset id. */
      readonly id: number;
    }
  | {
      /** The asset name. */
      readonly name: string;
    }
  | {
      /** The asset URI. */
      readonly uri: string;
    };

function describeAsset(selector: AssetSelector): string {
  if ("id" in selector) return `id ${pythonRepr(selector.id)}`;
  return "name" in selector ? `name=${pythonRepr(selector.name)}` : `uri=${pythonRepr(selector.uri)}`;
}

/**
 * An asset that is not registered or not active. Airflow's wording (`Asset with name='x' not found`,
 * `Asset with id 5 not found`), so clients matching on it keep working.
 *
 * @param selector - how the asset was named.
 * @param where - the server that was asked, for a client (`Asset with id 5 not found on http://…`).
 * @returns an `ASSET_NOT_FOUND` error with the selector in `details`.
 */
export function assetNotFound(selector: AssetSelector, where?: string): StateStoreError {
  const on = where === undefined ? "" : ` on ${where}`;
  return new StateStoreError("ASSET_NOT_FOUND", `Asset with ${describeAsset(selector)} not found${on}`, {
    details: {
      ...selector,
      hint: "the asset was never registered or has been deactivated; register it with tidemark assets register --name …",
    },
  });
}

/**
 * Inlets or outlets of a task instance that are not registered active assets, so the task instance
 * cannot be created with them.
 *
 * @param names - the missing assets' names.
 * @returns an `ASSET_NOT_FOUND` error with `details.missing`.
 */
export function inletOutletAssetsNotFound(names: readonly string[]): StateStoreError {
  const many = names.length > 1;
  return new StateStoreError(
    "ASSET_NOT_FOUND",
    `inlet/outlet asset${many ? "s" : ""} ${names.map((n) => JSON.stringify(n)).join(", ")} ${many ? "are" : "is"} not registered or not active; register ${many ? "them" : "it"} first (tidemark assets register --name …)`,
    { details: { missing: [...names] } },
  );
}

/**
 * A write to the state of a deactivated asset: its state is read-only until the orphan sweep removes it.
 *
 * @param name - the asset's name.
 * @param id - the asset's id, when known.
 * @returns an `ASSET_NOT_FOUND` error with `details.active` false.
 */
export function assetDeactivated(name: string, id?: number): StateStoreError {
  return new StateStoreError(
    "ASSET_NOT_FOUND",
    `asset ${JSON.stringify(name)}${id === undefined ? "" : ` (id ${id})`} is deactivated: its state is read-only and goes in the next cleanup; register the asset again (tidemark assets register --name ${name}) to write its state`,
    { details: { name, ...(id === undefined ? {} : { asset_id: id }), active: false } },
  );
}

/** What names a task instance in Airflow's Core API 404s. */
export interface TaskInstanceAddress {
  /** The dag id. */
  readonly dagId: string;
  /** The dag run id. */
  readonly runId: string;
  /** The task id. */
  readonly taskId: string;
  /** The map index, or `"all"` when every map index was addressed. */
  readonly mapIndex: number | "all";
}

/**
 * The message of Airflow's Core API 404 for a task instance, `map_index=N` or `all_map_indices=True`.
 *
 * @param address - the task instance.
 * @returns the message.
 */
export function taskInstanceNotFoundMessage(address: TaskInstanceAddress): string {
  const by = address.mapIndex === "all" ? "all_map_indices=True" : `map_index=${address.mapIndex}`;
  return `Task instance not found for dag_id=${pythonRepr(address.dagId)}, run_id=${pythonRepr(address.runId)}, task_id=${pythonRepr(address.taskId)}, ${by}`;
}

/**
 * A task instance the metastore does not know, in Airflow's Core API wording.
 *
 * @param address - the task instance.
 * @param code - `DAG_RUN_NOT_FOUND` when the dag run itself is missing. Default `TASK_INSTANCE_NOT_FOUND`.
 * @returns the error, with the address in `details` (snake_case, as on the wire).
 */
export function taskInstanceNotFound(
  address: TaskInstanceAddress,
  code: "TASK_INSTANCE_NOT_FOUND" | "DAG_RUN_NOT_FOUND" = "TASK_INSTANCE_NOT_FOUND",
): StateStoreError {
  return new StateStoreError(code, taskInstanceNotFoundMessage(address), {
    details: {
      dag_id: address.dagId,
      run_id: address.runId,
      task_id: address.taskId,
      ...(address.mapIndex === "all" ? { all_map_indices: true } : { map_index: address.mapIndex }),
    },
  });
}

/**
 * A dag run the metastore does not know, in Airflow's Execution API wording.
 *
 * @param dagId - the dag id.
 * @param runId - the run id.
 * @returns a `DAG_RUN_NOT_FOUND` error.
 */
export function dagRunNotFound(dagId: string, runId: string): StateStoreError {
  return new StateStoreError(
    "DAG_RUN_NOT_FOUND",
    `DagRun with dag_id=${dagId} and run_id=${runId} not found`,
    {
      details: { dag_id: dagId, run_id: runId },
    },
  );
}

/**
 * A task instance the Execution API does not know, by its id, in Airflow's wording: `Task instance <id>
 * not found` on the task instance routes, `Task instance UUID('<id>') not found` on the asset routes
 * (which render the token's id with Python's repr of a UUID).
 *
 * @param id - the task instance id.
 * @param style - `plain` (default) or `uuid`.
 * @returns a `TASK_INSTANCE_NOT_FOUND` error with `details.ti_id`.
 */
export function taskInstanceIdNotFound(id: string, style: "plain" | "uuid" = "plain"): StateStoreError {
  const shown = style === "uuid" ? `UUID(${pythonRepr(id)})` : id;
  return new StateStoreError("TASK_INSTANCE_NOT_FOUND", `Task instance ${shown} not found`, {
    details: { ti_id: id },
  });
}

/**
 * An asset a task instance may not touch: it is neither an inlet nor an outlet of the task.
 *
 * @param asset - the asset's name.
 * @param tiId - the task instance id.
 * @param declared - the names of the assets the task instance declares.
 * @returns a `FORBIDDEN` error naming the declared assets and the remedy.
 */
export function assetNotDeclared(asset: string, tiId: string, declared: readonly string[]): StateStoreError {
  const names = [...new Set(declared.map((name) => JSON.stringify(name)))].sort();
  return new StateStoreError(
    "FORBIDDEN",
    `asset ${JSON.stringify(asset)} is not an inlet or outlet of task instance ${tiId} (declared: ${names.join(", ") || "none"}); declare it in the task's inlets or outlets`,
  );
}

/**
 * An asset a watcher token does not list.
 *
 * @param watcherId - the watcher's id.
 * @param asset - the asset's name.
 * @returns a `FORBIDDEN` error.
 */
export function assetNotGranted(watcherId: string, asset: string): StateStoreError {
  return new StateStoreError(
    "FORBIDDEN",
    `the watcher token ${JSON.stringify(watcherId)} does not grant asset ${JSON.stringify(asset)}`,
  );
}
