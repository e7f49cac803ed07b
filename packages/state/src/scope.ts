import { StateStoreError } from "./state-store-error.js";

/**
 * The state namespace of one task instance: (dag_id, run_id, task_id, map_index).
 * Reference: `TaskScope` of AIP-103; task state is tied to a single task instance.
 */
export interface TaskScope {
  readonly kind: "task";
  /** The dag id. */
  readonly dagId: string;
  /** The dag run id. */
  readonly runId: string;
  /** The task id. */
  readonly taskId: string;
  /** The map index of a mapped task instance; -1 when the task is not mapped. */
  readonly mapIndex: number;
}

/**
 * The state namespace of an asset. Server-side backends receive `assetId`; worker-side backends receive
 * `name` or `uri`, since workers do not know the integer id (reference: `AssetScope(asset_id, name, uri)`).
 */
export interface AssetScope {
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

/** Input of {@link taskScope}; `mapIndex` defaults to -1 (not mapped). */
export interface TaskScopeInit {
  dagId: string;
  runId: string;
  taskId: string;
  mapIndex?: number;
}

/** Input of {@link assetScope}: at least one of `assetId`, `name`, `uri`. */
export interface AssetScopeInit {
  assetId?: number | undefined;
  name?: string | undefined;
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
 * @param init - `dagId`, `runId`, `taskId` (non-empty strings) and `mapIndex` (integer >= -1, default -1).
 * @returns the frozen scope.
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
    mapIndex,
  });
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
 * `task instance dag_id="d" run_id="r" task_id="t" map_index=-1` or `asset name="flights"`.
 *
 * @param scope - any scope.
 * @returns the description.
 */
export function describeScope(scope: StoreScope): string {
  if (scope.kind === "task") {
    return `task instance dag_id=${JSON.stringify(scope.dagId)} run_id=${JSON.stringify(scope.runId)} task_id=${JSON.stringify(scope.taskId)} map_index=${scope.mapIndex}`;
  }
  const parts: string[] = [];
  if (scope.assetId !== undefined) parts.push(`id=${scope.assetId}`);
  if (scope.name !== undefined) parts.push(`name=${JSON.stringify(scope.name)}`);
  if (scope.uri !== undefined) parts.push(`uri=${JSON.stringify(scope.uri)}`);
  return `asset ${parts.join(" ")}`;
}
