import {
  type AssetScope,
  assetDeactivated,
  assetScope,
  type ExpiresAtInput,
  encodeValue,
  isExpired,
  isStateStoreError,
  type JsonValue,
  NO_REGION_ID,
  requireRegionId,
  resolveExpiresAt,
  StateStoreError,
  type TaskScope,
  taskInstanceNotFound,
  taskScope,
  unwrapStateRef,
  validateKey,
} from "@tidemark/state";
import { writerFromJson } from "./state-entry-json.js";
import type { AssetLookup, StateStoreAccess, TaskTarget } from "./state-store-access.js";
import type { AssetSummaryJson, LastUpdatedByJson } from "./wire-types.js";

/** A task target with every field, its region a lower-case UUID ({@link NO_REGION_ID} for none). */
type ExportedTaskTarget = Required<TaskTarget>;

/** One task state key in an export (one NDJSON line). */
export interface TaskStateExportLine {
  readonly scope: "task";
  readonly dag_id: string;
  readonly run_id: string;
  readonly task_id: string;
  /**
   * The region (Airflow 3.4), a lower-case UUID; present only for a task instance in a region, so
   * exports of state in no region read as they did before regions.
   */
  readonly region_id?: string;
  /** The map index; in a region, the region index. */
  readonly map_index: number;
  readonly key: string;
  readonly value: JsonValue;
  /** ISO-8601 UTC, or null for never. */
  readonly expires_at: string | null;
  /**
   * Present (true) when the stored value was a reference envelope a worker backend wrote; only such lines
   * may restore an envelope (operators cannot otherwise write one), with their `reference_seal`.
   */
  readonly is_reference?: true;
  /**
   * The seal the exporting deployment gave this reference under this key (`ReferenceSeal`): what lets an
   * import into the same deployment restore the envelope, and nothing else.
   */
  readonly reference_seal?: string;
  /**
   * Present when the stored value was a reference envelope and the export read the object it points to
   * (`export --with-objects`): `value` is then the value itself and this is the reference it was read
   * from, for the record. An import writes `value` like any other and ignores this member; the line has
   * no `is_reference` nor `reference_seal`.
   */
  readonly resolved_reference?: string;
}

/** One asset state key in an export (one NDJSON line). */
export interface AssetStateExportLine {
  readonly scope: "asset";
  /** The asset's name (what an import finds or registers it by). */
  readonly name: string;
  readonly uri: string;
  readonly key: string;
  readonly value: JsonValue;
  readonly last_updated_by: LastUpdatedByJson | null;
  /** As {@link TaskStateExportLine.is_reference}. */
  readonly is_reference?: true;
  /** As {@link TaskStateExportLine.reference_seal}. */
  readonly reference_seal?: string;
  /** As {@link TaskStateExportLine.resolved_reference}. */
  readonly resolved_reference?: string;
}

/**
 * One line of `tidemark state-store export`. The format has no version number: members are only ever
 * added, as optional ones, so every older export stays importable (`region_id` came with regions,
 * `resolved_reference` with `--with-objects`).
 */
export type StateExportLine = TaskStateExportLine | AssetStateExportLine;

/**
 * Reads the value an offloaded key's reference points to (a worker backend's
 * `deserialize…FromRef`), for {@link ExportStateOptions.resolveReference}.
 *
 * @param ref - the reference inside the envelope.
 * @param args - the key and its scope (task scopes carry their region, asset scopes id, name and uri).
 * @returns the value.
 */
export type ReferenceResolver = (
  ref: string,
  args: { readonly key: string; readonly scope: TaskScope | AssetScope },
) => Promise<JsonValue>;

/** Options of {@link exportState}. */
export interface ExportStateOptions {
  /**
   * Exports offloaded values themselves: each reference is read with this and its line carries the
   * value and `resolved_reference` instead of the envelope and its seal. Without it a reference line
   * keeps the envelope (`is_reference`, `reference_seal`), which only this deployment can restore.
   */
  readonly resolveReference?: ReferenceResolver;
}

/**
 * What an export covers: one task instance, every map index of a task (in the target's region, as
 * clearing every map index), one asset, or (undefined) all.
 */
export type ExportScope =
  | { readonly kind: "task"; readonly target: TaskTarget; readonly allMapIndices: boolean }
  | { readonly kind: "asset"; readonly selector: AssetLookup };

const PAGE = 1000;

async function* pages<T>(
  fetchPage: (offset: number) => Promise<{ items: T[]; total: number }>,
): AsyncGenerator<T> {
  for (let offset = 0; ; offset += PAGE) {
    const { items } = await fetchPage(offset);
    yield* items;
    if (items.length < PAGE) return;
  }
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Export order of task instances of one dag run: task id, region id, map index. */
function byTaskInstance(a: ExportedTaskTarget, b: ExportedTaskTarget): number {
  return byText(a.taskId, b.taskId) || byText(a.regionId, b.regionId) || a.mapIndex - b.mapIndex;
}

/** The `region_id` member of a task line: absent for no region. */
function regionMember(regionId: string): { region_id?: string } {
  return regionId === NO_REGION_ID ? {} : { region_id: regionId };
}

interface ExportedEntry {
  readonly key: string;
  readonly value: unknown;
  readonly is_reference: boolean;
  readonly ref?: string;
  readonly ref_seal?: string;
}

/** The `value` of a line and its reference members: the envelope and its seal, or the resolved value. */
async function valueFields(
  entry: ExportedEntry,
  scope: () => TaskScope | AssetScope,
  describe: string,
  resolve: ReferenceResolver | undefined,
): Promise<{ value: JsonValue; is_reference?: true; reference_seal?: string; resolved_reference?: string }> {
  const value = entry.value as JsonValue;
  if (!entry.is_reference) return { value };
  const ref = entry.ref ?? unwrapStateRef(value);
  if (resolve === undefined || ref === undefined) {
    return {
      value,
      is_reference: true,
      ...(entry.ref_seal === undefined ? {} : { reference_seal: entry.ref_seal }),
    };
  }
  try {
    return { value: await resolve(ref, { key: entry.key, scope: scope() }), resolved_reference: ref };
  } catch (error) {
    if (!isStateStoreError(error)) throw error;
    throw new StateStoreError(
      error.code,
      `cannot read the offloaded value of key ${JSON.stringify(entry.key)} of ${describe} from ${ref}: ${error.message}; check workers.state_store_backend and its object storage, or export without --with-objects to keep the reference`,
      { cause: error, details: { key: entry.key, ref } },
    );
  }
}

async function* taskLines(
  access: StateStoreAccess,
  target: ExportedTaskTarget,
  resolve: ReferenceResolver | undefined,
): AsyncGenerator<StateExportLine> {
  const scope = () => taskScope(target);
  const describe = `task instance dag_id=${JSON.stringify(target.dagId)} run_id=${JSON.stringify(target.runId)} task_id=${JSON.stringify(target.taskId)} map_index=${target.mapIndex}`;
  for await (const entry of pages((offset) =>
    access
      .listTaskState(target, { limit: PAGE, offset })
      .then((r) => ({ items: r.task_state_store, total: r.total_entries })),
  )) {
    const { value, ...reference } = await valueFields(entry, scope, describe, resolve);
    yield {
      scope: "task",
      dag_id: target.dagId,
      run_id: target.runId,
      task_id: target.taskId,
      ...regionMember(target.regionId),
      map_index: target.mapIndex,
      key: entry.key,
      value,
      expires_at: entry.expires_at,
      ...reference,
    };
  }
}

async function* assetLines(
  access: StateStoreAccess,
  asset: AssetSummaryJson,
  resolve: ReferenceResolver | undefined,
): AsyncGenerator<StateExportLine> {
  const scope = () => assetScope({ assetId: asset.id, name: asset.name, uri: asset.uri });
  const describe = `asset ${JSON.stringify(asset.name)}`;
  for await (const entry of pages((offset) =>
    access
      .listAssetState(asset.id, { limit: PAGE, offset })
      .then((r) => ({ items: r.asset_state_store, total: r.total_entries })),
  )) {
    const { value, ...reference } = await valueFields(entry, scope, describe, resolve);
    yield {
      scope: "asset",
      name: asset.name,
      uri: asset.uri,
      key: entry.key,
      value,
      last_updated_by: entry.last_updated_by,
      ...reference,
    };
  }
}

async function* taskInstancesOf(
  access: StateStoreAccess,
  dagId: string,
  runId: string,
  taskId?: string,
): AsyncGenerator<ExportedTaskTarget> {
  for await (const ti of pages((offset) =>
    access
      .listTaskInstances(dagId, runId, {
        limit: PAGE,
        offset,
        ...(taskId === undefined ? {} : { search: taskId }),
      })
      .then((r) => ({ items: r.task_instances, total: r.total_entries })),
  )) {
    if (taskId === undefined || ti.task_id === taskId) {
      yield {
        dagId: ti.dag_id,
        runId: ti.run_id,
        taskId: ti.task_id,
        // A server from before regions lists no region_id: its task instances are in none.
        regionId: requireRegionId(ti.region_id ?? undefined),
        mapIndex: ti.map_index,
      };
    }
  }
}

/**
 * Reads state as export lines, through any {@link StateStoreAccess} (the database directly or a server).
 * Order is deterministic and independent of creation times, so exports of equal state are equal text:
 * task state by dag id, run id, task id, region id, map index, key; then asset state by asset name, key.
 * Each task instance's state is read in its own region, and its lines carry `region_id` only when it is
 * in a region. Exporting everything covers every task instance and every active asset (a deactivated
 * asset's state is read-only and goes in the next cleanup; export it by naming the asset). Versions and
 * update times are not exported. An offloaded value is exported as its reference envelope, or with
 * `options.resolveReference` as the value itself.
 *
 * @param access - where to read.
 * @param scope - what to export; undefined for everything.
 * @param options - `resolveReference` to export offloaded values themselves.
 * @returns the lines, one per live key.
 * @throws StateStoreError as the listings (404 for an unknown scope, `NOT_SUPPORTED` when the server
 *   backend cannot list keys); the resolver's error (for example `NOT_FOUND` for a missing object) naming
 *   the key and reference.
 */
export async function* exportState(
  access: StateStoreAccess,
  scope?: ExportScope,
  options: ExportStateOptions = {},
): AsyncGenerator<StateExportLine> {
  const resolve = options.resolveReference;
  if (scope?.kind === "asset") {
    yield* assetLines(access, await access.findAsset(scope.selector), resolve);
    return;
  }
  if (scope?.kind === "task") {
    const { target } = scope;
    const regionId = requireRegionId(target.regionId);
    if (!scope.allMapIndices) {
      yield* taskLines(access, { ...target, regionId, mapIndex: target.mapIndex ?? -1 }, resolve);
      return;
    }
    // Fails with 404 for an unknown dag run or task, as clearing every map index does.
    const all = (await collect(taskInstancesOf(access, target.dagId, target.runId, target.taskId))).filter(
      (ti) => ti.regionId === regionId,
    );
    if (all.length === 0) {
      throw taskInstanceNotFound({
        dagId: target.dagId,
        runId: target.runId,
        taskId: target.taskId,
        mapIndex: "all",
      });
    }
    for (const ti of all.sort((a, b) => a.mapIndex - b.mapIndex)) yield* taskLines(access, ti, resolve);
    return;
  }
  const dags = await collect(
    pages((offset) =>
      access.listDags({ limit: PAGE, offset }).then((r) => ({ items: r.dags, total: r.total_entries })),
    ),
  );
  for (const dag of dags.sort((a, b) => byText(a.dag_id, b.dag_id))) {
    const runs = await collect(
      pages((offset) =>
        access
          .listDagRuns(dag.dag_id, { limit: PAGE, offset })
          .then((r) => ({ items: r.dag_runs, total: r.total_entries })),
      ),
    );
    for (const run of runs.sort((a, b) => byText(a.run_id, b.run_id))) {
      const tis = await collect(taskInstancesOf(access, run.dag_id, run.run_id));
      tis.sort(byTaskInstance);
      for (const ti of tis) yield* taskLines(access, ti, resolve);
    }
  }
  const assets = await collect(
    pages((offset) =>
      access.listAssets({ limit: PAGE, offset }).then((r) => ({ items: r.assets, total: r.total_entries })),
    ),
  );
  for (const asset of assets.filter((a) => a.active).sort((a, b) => byText(a.name, b.name))) {
    yield* assetLines(access, asset, resolve);
  }
}

function lineError(line: number, message: string): StateStoreError {
  return new StateStoreError("INVALID_VALUE", `line ${line}: ${message}`, { details: { line } });
}

/** Runs a check of the state package, its error prefixed with the line it is about. */
function atLine<T>(line: number, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (isStateStoreError(error)) {
      throw new StateStoreError(error.code, `line ${line}: ${error.message}`, { details: { line } });
    }
    throw error;
  }
}

function text(record: Record<string, unknown>, field: string, line: number): string {
  const value = record[field];
  if (typeof value !== "string" || value === "")
    throw lineError(line, `"${field}" must be a non-empty string`);
  return value;
}

const TASK_FIELDS = [
  "scope",
  "dag_id",
  "run_id",
  "task_id",
  "region_id",
  "map_index",
  "key",
  "value",
  "expires_at",
  "is_reference",
  "reference_seal",
  "resolved_reference",
];
const ASSET_FIELDS = [
  "scope",
  "name",
  "uri",
  "key",
  "value",
  "last_updated_by",
  "is_reference",
  "reference_seal",
  "resolved_reference",
];

function checkWriter(value: unknown, line: number): LastUpdatedByJson | null {
  if (value === null || value === undefined) return null;
  const w = value as Record<string, unknown>;
  if (typeof w !== "object" || !["task", "watcher", "api"].includes(w.kind as string)) {
    throw lineError(line, `"last_updated_by" must be null or {"kind": "task" | "watcher" | "api", …}`);
  }
  if (w.kind === "task") {
    for (const field of ["dag_id", "run_id", "task_id"]) {
      if (typeof w[field] !== "string" || w[field] === "")
        throw lineError(line, `"last_updated_by.${field}" must be a string`);
    }
    if (!Number.isInteger(w.map_index) || (w.map_index as number) < -1) {
      throw lineError(line, `"last_updated_by.map_index" must be an integer >= -1`);
    }
  }
  return {
    kind: w.kind as LastUpdatedByJson["kind"],
    dag_id: (w.dag_id as string | undefined) ?? null,
    run_id: (w.run_id as string | undefined) ?? null,
    task_id: (w.task_id as string | undefined) ?? null,
    map_index: (w.map_index as number | undefined) ?? null,
  };
}

/** A task line's region: absent is none; otherwise a UUID, checked as the scope checks it. */
function regionOf(record: Record<string, unknown>, line: number): string {
  try {
    return requireRegionId(record.region_id);
  } catch (error) {
    if (!isStateStoreError(error)) throw error;
    throw new StateStoreError(
      error.code,
      `line ${line}: "region_id" ${error.message.replace(/^TaskScope regionId /, "")}`,
      { details: { line, field: "region_id" } },
    );
  }
}

/**
 * Parses and checks export text (NDJSON: one {@link StateExportLine} per line; blank lines are ignored).
 * Every line is checked before anything is written: fields, key rules, the value (any JSON except a
 * top-level null, within `maxValueBytes`), `expires_at` (null or ISO-8601 with an offset), `region_id`
 * (absent, or a UUID as a task scope takes it; kept in lower case, and dropped when all-zero).
 *
 * @param input - the text.
 * @param options - `maxValueBytes`: `state_store.max_value_storage_bytes` to check values against (0 = no
 *   limit; a server checks again with its own).
 * @returns the lines.
 * @throws StateStoreError `INVALID_VALUE` / `INVALID_KEY` / `VALUE_TOO_LARGE` naming the line number;
 *   `INVALID_SCOPE` naming the line and `region_id` for a region id that is not a UUID.
 */
export function parseStateExport(input: string, options: { maxValueBytes?: number } = {}): StateExportLine[] {
  const lines: StateExportLine[] = [];
  const rows = input.split("\n");
  for (let i = 0; i < rows.length; i++) {
    const raw = (rows[i] as string).trim();
    const line = i + 1;
    if (raw === "") continue;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(raw) as Record<string, unknown>;
    } catch (error) {
      throw lineError(
        line,
        `not JSON (${(error as Error).message}); each line must be one JSON object as written by tidemark state-store export`,
      );
    }
    if (typeof record !== "object" || record === null || Array.isArray(record)) {
      throw lineError(
        line,
        "not a JSON object; each line must be one object as written by tidemark state-store export",
      );
    }
    const fields =
      record.scope === "task" ? TASK_FIELDS : record.scope === "asset" ? ASSET_FIELDS : undefined;
    if (fields === undefined) throw lineError(line, `"scope" must be "task" or "asset"`);
    const unknown = Object.keys(record).filter((f) => !fields.includes(f));
    if (unknown.length > 0) throw lineError(line, `unknown field ${JSON.stringify(unknown[0])}`);
    const key = typeof record.key === "string" ? record.key : "";
    if (record.is_reference !== undefined && record.is_reference !== true) {
      throw lineError(line, `"is_reference" must be true or absent`);
    }
    if (
      record.is_reference === true &&
      (typeof record.reference_seal !== "string" || record.reference_seal === "")
    ) {
      throw lineError(
        line,
        `"is_reference" needs the "reference_seal" its export recorded; export the state again from the deployment that holds the objects`,
      );
    }
    if (record.reference_seal !== undefined && record.is_reference !== true) {
      throw lineError(line, `"reference_seal" belongs to lines with "is_reference": true`);
    }
    const resolved = record.resolved_reference;
    if (resolved !== undefined && (typeof resolved !== "string" || resolved === "")) {
      throw lineError(line, `"resolved_reference" must be a non-empty string or absent`);
    }
    if (resolved !== undefined && record.is_reference !== undefined) {
      throw lineError(
        line,
        `"resolved_reference" marks a value read from object storage; such a line has no "is_reference"`,
      );
    }
    const provenance = resolved === undefined ? {} : { resolved_reference: resolved as string };
    const reference =
      record.is_reference === true
        ? { is_reference: true as const, reference_seal: record.reference_seal as string }
        : {};
    atLine(line, () => {
      validateKey(key);
      encodeValue(record.value, {
        maxBytes: options.maxValueBytes ?? 0,
        label: `value of key ${JSON.stringify(key)}`,
      });
    });
    if (record.scope === "task") {
      const mapIndex = record.map_index;
      if (!Number.isInteger(mapIndex) || (mapIndex as number) < -1)
        throw lineError(line, `"map_index" must be an integer >= -1`);
      const expiresAt = record.expires_at;
      // An export holds instants: "default" would be the importing deployment's retention, not the key's.
      if (expiresAt === undefined || expiresAt === "default") {
        throw lineError(
          line,
          `"expires_at" must be null or an ISO-8601 date-time with an offset, for example "2026-06-01T00:00:00Z"`,
        );
      }
      atLine(line, () =>
        resolveExpiresAt(expiresAt as ExpiresAtInput, { defaultRetentionDays: undefined, now: new Date() }),
      );
      lines.push({
        scope: "task",
        dag_id: text(record, "dag_id", line),
        run_id: text(record, "run_id", line),
        task_id: text(record, "task_id", line),
        ...regionMember(regionOf(record, line)),
        map_index: mapIndex as number,
        key,
        value: record.value as JsonValue,
        expires_at: expiresAt as string | null,
        ...reference,
        ...provenance,
      });
    } else {
      lines.push({
        scope: "asset",
        name: text(record, "name", line),
        uri: text(record, "uri", line),
        key,
        value: record.value as JsonValue,
        last_updated_by: checkWriter(record.last_updated_by, line),
        ...reference,
        ...provenance,
      });
    }
  }
  return lines;
}

/** Creates what an import needs when it is missing (direct mode on the database). */
export interface ImportScopeHooks {
  /** Makes sure the task instance exists (in its region); resolves true when it had to be created. */
  ensureTaskInstance(target: ExportedTaskTarget): Promise<boolean>;
  /** Makes sure an active asset with this name exists; resolves it and whether it was created. */
  ensureAsset(name: string, uri: string): Promise<{ id: number; created: boolean }>;
}

/** Options of {@link importState}. */
export interface ImportStateOptions {
  /** Create missing task instances and assets; without hooks every scope must already exist. */
  readonly hooks?: ImportScopeHooks;
  /** Record each asset key's exported `last_updated_by` (in process only; a server records "api"). */
  readonly preserveWriters?: boolean;
  /** The current instant: keys expired by then are skipped. Default now. */
  readonly now?: Date;
}

/** What {@link importState} did. */
export interface ImportReport {
  readonly taskKeys: number;
  readonly assetKeys: number;
  /** Keys whose `expires_at` had passed: not written. */
  readonly skippedExpired: number;
  readonly createdTaskInstances: number;
  readonly createdAssets: number;
}

function targetKey(t: ExportedTaskTarget): string {
  return JSON.stringify([t.dagId, t.runId, t.taskId, t.regionId, t.mapIndex]);
}

function lineTarget(line: TaskStateExportLine): ExportedTaskTarget {
  return {
    dagId: line.dag_id,
    runId: line.run_id,
    taskId: line.task_id,
    regionId: requireRegionId(line.region_id),
    mapIndex: line.map_index,
  };
}

/**
 * Writes export lines back: every scope (a task instance in its line's region) is resolved (or created
 * through `hooks`) before the first key is written, so an unknown task instance or asset fails the import with nothing written; then each key is
 * written with its value and expiry (task state) or writer (asset state, with `preserveWriters`),
 * overwriting what is there. Versions are not restored: a written key gets the next version.
 *
 * @param access - where to write.
 * @param lines - parsed lines ({@link parseStateExport}).
 * @param options - hooks, writer preservation, clock.
 * @returns counts.
 * @throws StateStoreError `TASK_INSTANCE_NOT_FOUND`, `DAG_RUN_NOT_FOUND`, `ASSET_NOT_FOUND` while
 *   resolving; a write's error (413, 422, …) prefixed with its line's position.
 */
export async function importState(
  access: StateStoreAccess,
  lines: readonly StateExportLine[],
  options: ImportStateOptions = {},
): Promise<ImportReport> {
  const now = options.now ?? new Date();
  let createdTaskInstances = 0;
  let createdAssets = 0;
  const targets = new Map<string, ExportedTaskTarget>();
  const assets = new Map<string, { uri: string; id?: number }>();
  for (const line of lines) {
    if (line.scope === "task") {
      const t = lineTarget(line);
      targets.set(targetKey(t), t);
    } else if (!assets.has(line.name)) assets.set(line.name, { uri: line.uri });
  }
  for (const target of targets.values()) {
    if (options.hooks !== undefined) {
      if (await options.hooks.ensureTaskInstance(target)) createdTaskInstances++;
    } else await access.listTaskState(target, { limit: 0 });
  }
  for (const [name, asset] of assets) {
    if (options.hooks !== undefined) {
      const ensured = await options.hooks.ensureAsset(name, asset.uri);
      asset.id = ensured.id;
      if (ensured.created) createdAssets++;
    } else {
      const found = await access.findAsset({ name });
      if (!found.active) throw assetDeactivated(name, found.id);
      asset.id = found.id;
    }
  }
  let taskKeys = 0;
  let assetKeys = 0;
  let skippedExpired = 0;
  for (const [index, line] of lines.entries()) {
    try {
      if (line.scope === "task") {
        if (line.expires_at !== null && isExpired(new Date(line.expires_at), now)) {
          skippedExpired++;
          continue;
        }
        await access.putTaskState(lineTarget(line), line.key, {
          value: line.value,
          expiresAt: line.expires_at,
          ...(line.reference_seal === undefined ? {} : { restoreReference: line.reference_seal }),
        });
        taskKeys++;
      } else {
        const id = assets.get(line.name)?.id as number;
        const writer = options.preserveWriters ? writerFromJson(line.last_updated_by) : undefined;
        await access.putAssetState(id, line.key, {
          value: line.value,
          ...(writer === undefined ? {} : { writer }),
          ...(line.reference_seal === undefined ? {} : { restoreReference: line.reference_seal }),
        });
        assetKeys++;
      }
    } catch (error) {
      if (!isStateStoreError(error)) throw error;
      throw new StateStoreError(
        error.code,
        `entry ${index + 1} of ${lines.length} (key ${JSON.stringify(line.key)}): ${error.message}; the ${taskKeys + assetKeys} entries before it were imported`,
        { cause: error, details: { entry: index + 1 } },
      );
    }
  }
  return { taskKeys, assetKeys, skippedExpired, createdTaskInstances, createdAssets };
}
