import { StateStoreError } from "./state-store-error.js";

/**
 * The region id of a task that is in no region: the all-zero UUID, as Airflow 3.4 stores it
 * (`UUID(int=0)`, the server default of `region_id` in migration "Add dynamic region storage").
 */
export const NO_REGION_ID = "00000000-0000-0000-0000-000000000000";

/** The form of a region id: a UUID in hex with dashes (any case; scopes hold it in lower case). */
export const REGION_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The state namespace of one task instance: (dag_id, run_id, task_id, region_id, map_index).
 * Reference: `TaskScope` of AIP-103; task state is tied to a single task instance. Airflow 3.4 adds the
 * region: its task state store key is (dag_run_id, task_id, region_id, map_index, key), and
 * `region_index` is a synonym of `map_index`.
 */
export interface TaskScope {
  /** Tells the scope kinds apart. */
  readonly kind: "task";
  /** The dag id. */
  readonly dagId: string;
  /** The dag run id. */
  readonly runId: string;
  /** The task id. */
  readonly taskId: string;
  /** The region the task instance runs in, a lower-case UUID; {@link NO_REGION_ID} when in none. */
  readonly regionId: string;
  /** The map index (Airflow 3.4: also the region index) of the task instance; -1 when not mapped. */
  readonly mapIndex: number;
}

/**
 * The state namespace of an asset. Server-side backends receive `assetId`; worker-side backends receive
 * `name` or `uri`, since workers do not know the integer id (reference: `AssetScope(asset_id, name, uri)`).
 */
export interface AssetScope {
  /** Tells the scope kinds apart. */
  readonly kind: "asset";
  /** The metastore's integer asset id. */
  readonly assetId?: number;
  /** The asset name. */
  readonly name?: string;
  /** The asset URI. */
  readonly uri?: string;
}

/** Either scope. */
export type StoreScope = TaskScope | AssetScope;

/** Input of {@link taskScope}; `mapIndex` defaults to -1 (not mapped), `regionId` to {@link NO_REGION_ID}. */
export interface TaskScopeInit {
  /** The dag id, non-empty. */
  dagId: string;
  /** The dag run id, non-empty. */
  runId: string;
  /** The task id, non-empty. */
  taskId: string;
  /** The map index, an integer >= -1. Default -1 (not mapped). */
  mapIndex?: number;
  /** The region id, a UUID in any case. Default {@link NO_REGION_ID}. */
  regionId?: string;
}

/** Input of {@link assetScope}: at least one of `assetId`, `name`, `uri`. */
export interface AssetScopeInit {
  /** The metastore's integer asset id, a positive integer (server side). */
  assetId?: number | undefined;
  /** The asset name, non-empty. */
  name?: string | undefined;
  /** The asset URI, non-empty. */
  uri?: string | undefined;
}

function requireId(value: unknown, field: string, scope: string): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new StateStoreError(
      "INVALID_SCOPE",
      `${scope} requires a non-empty string ${field}, got ${value === "" ? "an empty string" : (JSON.stringify(value) ?? String(value))}`,
      { details: { field } },
    );
  }
  return value;
}

/**
 * Builds a validated, frozen {@link TaskScope}.
 *
 * @param init - `dagId`, `runId`, `taskId` (non-empty strings), `mapIndex` (integer >= -1, default -1) and
 *   `regionId` (a UUID, default {@link NO_REGION_ID}).
 * @returns the frozen scope, its `regionId` in lower case.
 * @throws StateStoreError `INVALID_SCOPE` naming the field that is missing or wrong.
 */
export function taskScope(init: TaskScopeInit): TaskScope {
  const mapIndex = init.mapIndex ?? -1;
  if (!Number.isInteger(mapIndex) || mapIndex < -1) {
    throw new StateStoreError(
      "INVALID_SCOPE",
      `TaskScope mapIndex must be an integer >= -1 (-1 for a task that is not mapped), got ${String(mapIndex)}`,
      { details: { field: "mapIndex" } },
    );
  }
  return Object.freeze({
    kind: "task",
    dagId: requireId(init.dagId, "dagId", "TaskScope"),
    runId: requireId(init.runId, "runId", "TaskScope"),
    taskId: requireId(init.taskId, "taskId", "TaskScope"),
    regionId: requireRegionId(init.regionId),
    mapIndex,
  });
}

/**
 * Validates a region id and puts it in lower case, the form scopes and the metastore hold.
 *
 * @param value - a UUID in hex with dashes; undefined for {@link NO_REGION_ID}.
 * @returns the region id in lower case.
 * @throws StateStoreError `INVALID_SCOPE` (`details.field` = `regionId`) for anything but a UUID.
 */
export function requireRegionId(value: unknown): string {
  if (value === undefined) return NO_REGION_ID;
  if (typeof value !== "string" || !REGION_ID_PATTERN.test(value)) {
    throw new StateStoreError(
      "INVALID_SCOPE",
      `TaskScope regionId must be a UUID such as ${NO_REGION_ID} (the all-zero UUID for a task in no region), got ${JSON.stringify(value) ?? String(value)}`,
      { details: { field: "regionId" } },
    );
  }
  return value.toLowerCase();
}

/**
 * Builds a validated, frozen {@link AssetScope}.
 *
 * @param init - at least one of `assetId` (positive integer), `name`, `uri` (non-empty strings).
 * @returns the frozen scope, holding only the identifiers given.
 * @throws StateStoreError `INVALID_SCOPE` when no identifier is given ("AssetScope requires at least one
 *   of: assetId, name, or uri", as the reference) or one is malformed.
 */
export function assetScope(init: AssetScopeInit): AssetScope {
  const { assetId, name, uri } = init;
  if (assetId === undefined && name === undefined && uri === undefined) {
    throw new StateStoreError("INVALID_SCOPE", "AssetScope requires at least one of: assetId, name, or uri");
  }
  const scope: { kind: "asset"; assetId?: number; name?: string; uri?: string } = { kind: "asset" };
  if (assetId !== undefined) {
    if (!Number.isSafeInteger(assetId) || assetId < 1) {
      throw new StateStoreError(
        "INVALID_SCOPE",
        `AssetScope assetId must be a positive integer, got ${String(assetId)}`,
        {
          details: { field: "assetId" },
        },
      );
    }
    scope.assetId = assetId;
  }
  if (name !== undefined) scope.name = requireId(name, "name", "AssetScope");
  if (uri !== undefined) scope.uri = requireId(uri, "uri", "AssetScope");
  return Object.freeze(scope);
}

/**
 * Tells whether a scope is a {@link TaskScope}.
 *
 * @param scope - any scope.
 * @returns true for a task scope.
 */
export function isTaskScope(scope: StoreScope): scope is TaskScope {
  return scope.kind === "task";
}

/**
 * Describes a scope in words for messages and logs, with the wire's snake_case names, for example
 * `task instance dag_id="d" run_id="r" task_id="t" map_index=-1` or `asset name="flights"`; a task in
 * a region also names its `region_id`.
 *
 * @param scope - any scope.
 * @returns the description.
 */
export function describeScope(scope: StoreScope): string {
  if (scope.kind === "task") {
    // A scope built by hand may lack regionId (it then means no region).
    const region =
      scope.regionId === undefined || scope.regionId === NO_REGION_ID ? "" : ` region_id=${scope.regionId}`;
    return `task instance dag_id=${JSON.stringify(scope.dagId)} run_id=${JSON.stringify(scope.runId)} task_id=${JSON.stringify(scope.taskId)}${region} map_index=${scope.mapIndex}`;
  }
  const parts: string[] = [];
  if (scope.assetId !== undefined) parts.push(`id=${scope.assetId}`);
  if (scope.name !== undefined) parts.push(`name=${JSON.stringify(scope.name)}`);
  if (scope.uri !== undefined) parts.push(`uri=${JSON.stringify(scope.uri)}`);
  return `asset ${parts.join(" ")}`;
}
