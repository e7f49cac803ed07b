import { join } from "node:path";
import { RestStateClient } from "../../../src/state-admin/rest-state-client.js";
import type { TaskTarget } from "../../../src/state-admin/state-store-access.js";
import type { TidemarkWorkspace } from "./tidemark-process.js";

/** A task instance as the e2e tests name it (map index always given). */
export type TaskInstanceRef = TaskTarget & { readonly mapIndex: number };

/** The dag, run and task instances the e2e tests browse. */
export const DAG = "etl_daily";
export const RUN = "manual__2026-03-01";
export const LOAD: TaskInstanceRef = { dagId: DAG, runId: RUN, taskId: "load", mapIndex: -1 };
export const extract = (mapIndex: number): TaskInstanceRef => ({
  dagId: DAG,
  runId: RUN,
  taskId: "extract",
  mapIndex,
});

/** A key with a "/", a space and a "%", which travels percent-encoded in the URL path. */
export const SLASH_KEY = "offsets/partition 0%";

/**
 * Creates the metastore and its metadata with the tidemark CLI: dag run etl_daily/manual__2026-03-01
 * with task `load` (unmapped) and `extract` (map indices 0, 1, 2), the active asset `orders` and the
 * inactive asset `legacy_feed`.
 *
 * @param ws - the workspace.
 */
export async function seedMetadata(ws: TidemarkWorkspace): Promise<void> {
  await ws.cli(["db", "migrate"]);
  await ws.cli(["assets", "register", "--name", "orders", "--uri", "s3://lake/orders"]);
  await ws.cli(["assets", "register", "--name", "legacy_feed", "--uri", "file:///data/legacy.csv"]);
  await ws.cli(["assets", "deactivate", "--name", "legacy_feed"]);
  await ws.cli([
    "task-instances",
    "create",
    "--dag-id",
    DAG,
    "--run-id",
    RUN,
    "--task-id",
    "load",
    "--outlet",
    "orders",
  ]);
  for (const mapIndex of [0, 1, 2]) {
    await ws.cli([
      "task-instances",
      "create",
      "--dag-id",
      DAG,
      "--run-id",
      RUN,
      "--task-id",
      "extract",
      "--map-index",
      String(mapIndex),
    ]);
  }
}

/** What {@link seedState} wrote that the tests look for. */
export interface SeededState {
  /** A client of the same server (to change state behind the UI's back and to check results). */
  readonly client: RestStateClient;
  /** The ref of the offloaded entry `load/big_blob`. */
  readonly blobRef: string;
}

/**
 * Writes task and asset state through the Core REST API: `load` gets watermark, job_id (never expires),
 * big_blob (a reference envelope, written through the Execution API with the task instance's own token
 * as a worker backend stores an offloaded value; operators cannot write one) and {@link SLASH_KEY};
 * extract[0] gets two keys, extract[1] one; asset `orders` gets watermark and cursor.
 *
 * @param baseUrl - the api-server.
 * @param ws - the workspace (where the pretend offloaded object lives; mints the task token).
 * @param token - bearer token when the server wants one.
 * @returns a client and the ref.
 */
export async function seedState(
  baseUrl: string,
  ws: TidemarkWorkspace,
  token?: string,
): Promise<SeededState> {
  const client = new RestStateClient({ apiUrl: baseUrl, token });
  const blobRef = `file://${join(ws.dir, "objects", DAG, RUN, "load", "-1", "big_blob.json")}`;
  await client.putTaskState(LOAD, "watermark", { value: { offset: 42 }, expiresAt: "default" });
  await client.putTaskState(LOAD, "job_id", { value: "12345", expiresAt: null });
  await writeAsWorker(baseUrl, ws, LOAD, "big_blob", { __airflow_state_ref__: blobRef });
  await client.putTaskState(LOAD, SLASH_KEY, { value: { offset: 7 }, expiresAt: "default" });
  await client.putTaskState(extract(0), "a", { value: 1, expiresAt: "default" });
  await client.putTaskState(extract(0), "b", { value: [1, 2, 3], expiresAt: "default" });
  await client.putTaskState(extract(1), "c", { value: { nested: { deep: true } }, expiresAt: "default" });
  const orders = await client.findAsset({ name: "orders" });
  await client.putAssetState(orders.id, "watermark", { value: "2026-03-01T00:00:00Z" });
  await client.putAssetState(orders.id, "cursor", { value: 17 });
  return { client, blobRef };
}

/** PUTs a value through the Execution API with the task instance's own token, as its worker would. */
async function writeAsWorker(
  baseUrl: string,
  ws: TidemarkWorkspace,
  ti: TaskInstanceRef,
  key: string,
  value: unknown,
): Promise<void> {
  const listed = await new RestStateClient({ apiUrl: baseUrl }).listTaskInstances(ti.dagId, ti.runId);
  const record = listed.task_instances.find((t) => t.task_id === ti.taskId && t.map_index === ti.mapIndex);
  if (record === undefined) throw new Error(`no task instance ${ti.taskId}[${ti.mapIndex}] to write as`);
  const workerToken = (await ws.cli(["task-instances", "token", record.id])).trim();
  const url = `${baseUrl}/execution/store/ti/${record.id}/${encodeURIComponent(key)}`;
  const response = await fetch(url, {
    method: "PUT",
    headers: { "content-type": "application/json", authorization: `Bearer ${workerToken}` },
    body: JSON.stringify({ value, expires_at: "default" }),
  });
  if (response.status !== 204) {
    throw new Error(`writing ${key} as its worker answered ${response.status}: ${await response.text()}`);
  }
}
