import { ApiError, apiErrorFromResponse } from "./api-error";
import type { TaskInstanceRef } from "./task-instance-ref";
import {
  type AssetStateEntry,
  type AssetStateEntryWire,
  type AssetSummary,
  type DagRunSummary,
  type DagSummary,
  ENTRY_INCLUDE,
  type JsonValue,
  type ListParams,
  type Page,
  type StateEntry,
  type StateListParams,
  type TaskInstanceSummary,
  type TaskStateEntryWire,
  type UiConfig,
} from "./wire-types";

/**
 * When a task state key expires: "default" (now + state_store.default_retention_days), null (never), or
 * an ISO-8601 date-time with an offset (a naive one is refused with 422).
 */
export type ExpiresAtInput = "default" | null | string;

/** Options of {@link createApiClient}. */
export interface ApiClientOptions {
  /** The fetch to use; the browser's by default. Component tests pass a fixture fetch. */
  readonly fetch?: typeof fetch;
  /** Prefix of every path; "" (same origin) by default. */
  readonly baseUrl?: string;
  /** Returns the bearer token to send, or undefined to send none. Read on every call. */
  readonly getToken?: () => string | undefined;
  /** Called when an answer is 401, before the ApiError is thrown (the UI then asks for a token). */
  readonly onUnauthorized?: () => void;
}

/**
 * The precondition of a write: `ifVersion` sends `If-Match: "<version>"` (412 when the live value is at
 * another version or gone); `ifAbsent` sends `If-None-Match: *` (412 when a live value exists), so adding
 * a key never overwrites one someone else just wrote.
 */
export interface WriteCondition {
  readonly ifVersion?: number | undefined;
  readonly ifAbsent?: boolean | undefined;
}

/** A typed client of the Core REST API (base path /api/v2); every method throws {@link ApiError}. */
export type ApiClient = ReturnType<typeof createApiClient>;

const API = "/api/v2";

/**
 * Creates a client of the Core REST API as the UI uses it.
 *
 * Every call sends `Authorization: Bearer <token>` when `getToken` returns one, JSON bodies with
 * snake_case members, and turns a non-2xx answer into an {@link ApiError} (status 0 when the server
 * could not be reached). State keys are percent-encoded with encodeURIComponent, so a "/" in a key
 * travels as %2F. State reads and writes ask for `?include=version,reference`; writes send
 * `Prefer: return=representation` so they answer with the stored entry, and a {@link WriteCondition}
 * as `If-Match` / `If-None-Match`.
 *
 * @param options - fetch, base URL, token source and 401 hook.
 * @returns the client.
 */
export function createApiClient(options: ApiClientOptions = {}) {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const baseUrl = options.baseUrl ?? "";

  async function request(
    method: string,
    path: string,
    init: {
      query?: Record<string, string | number | boolean | undefined>;
      body?: unknown;
      auth?: boolean;
      headers?: Record<string, string>;
    } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: "application/json", ...init.headers };
    const token = init.auth === false ? undefined : options.getToken?.();
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (init.body !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(init.body);
    }
    const url = baseUrl + path + queryString(init.query);
    let response: Response;
    try {
      response = await doFetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
    } catch (cause) {
      throw new ApiError(0, { message: "network error" }, { cause });
    }
    if (!response.ok) {
      if (response.status === 401) options.onUnauthorized?.();
      throw await apiErrorFromResponse(response);
    }
    return response;
  }

  async function json<T>(method: string, path: string, init?: Parameters<typeof request>[2]): Promise<T> {
    const response = await request(method, path, init);
    return (await response.json()) as T;
  }

  const tiPath = (ti: TaskInstanceRef) =>
    `${API}/dags/${enc(ti.dagId)}/dagRuns/${enc(ti.runId)}/taskInstances/${enc(ti.taskId)}/state-store`;
  const assetPath = (assetId: number) => `${API}/assets/${assetId}/state-store`;

  return {
    /** `GET /api/v2/config/ui` (sent without a token). */
    getUiConfig: () => json<UiConfig>("GET", `${API}/config/ui`, { auth: false }),

    /** `GET /api/v2/dags`. */
    async listDags(params: ListParams = {}): Promise<Page<DagSummary>> {
      const r = await json<{ dags: DagSummary[]; total_entries: number }>("GET", `${API}/dags`, {
        query: { ...params },
      });
      return { items: r.dags, total: r.total_entries };
    },

    /** `GET /api/v2/dags/{dag_id}/dagRuns`, newest first. */
    async listDagRuns(dagId: string, params: ListParams = {}): Promise<Page<DagRunSummary>> {
      const r = await json<{ dag_runs: DagRunSummary[]; total_entries: number }>(
        "GET",
        `${API}/dags/${enc(dagId)}/dagRuns`,
        { query: { ...params } },
      );
      return { items: r.dag_runs, total: r.total_entries };
    },

    /** `GET …/dagRuns/{run_id}/taskInstances`, ordered by task_id then map_index. */
    async listTaskInstances(
      dagId: string,
      runId: string,
      params: ListParams = {},
    ): Promise<Page<TaskInstanceSummary>> {
      const r = await json<{ task_instances: TaskInstanceSummary[]; total_entries: number }>(
        "GET",
        `${API}/dags/${enc(dagId)}/dagRuns/${enc(runId)}/taskInstances`,
        { query: { ...params } },
      );
      return { items: r.task_instances, total: r.total_entries };
    },

    /** `GET /api/v2/assets`. */
    async listAssets(params: ListParams = {}): Promise<Page<AssetSummary>> {
      const r = await json<{ assets: AssetSummary[]; total_entries: number }>("GET", `${API}/assets`, {
        query: { ...params },
      });
      return { items: r.assets, total: r.total_entries };
    },

    /** `GET /api/v2/assets/by-name/{name}`. */
    getAssetByName: (name: string) => json<AssetSummary>("GET", `${API}/assets/by-name/${enc(name)}`),

    /** `GET …/state-store?map_index=N`: one page of a task instance's keys, ordered by key. */
    async listTaskState(ti: TaskInstanceRef, params: StateListParams = {}): Promise<Page<StateEntry>> {
      const r = await json<{ task_state_store: TaskStateEntryWire[]; total_entries: number }>(
        "GET",
        tiPath(ti),
        { query: { map_index: ti.mapIndex, ...params, include: ENTRY_INCLUDE } },
      );
      return { items: r.task_state_store.map(taskEntry), total: r.total_entries };
    },

    /** `GET …/state-store/{key}`. */
    getTaskState: async (ti: TaskInstanceRef, key: string) =>
      taskEntry(
        await json<TaskStateEntryWire>("GET", `${tiPath(ti)}/${enc(key)}`, {
          query: { map_index: ti.mapIndex, include: ENTRY_INCLUDE },
        }),
      ),

    /** `PUT …/state-store/{key}`: writes value and expiry under the {@link WriteCondition}. */
    putTaskState: async (
      ti: TaskInstanceRef,
      key: string,
      body: { value: JsonValue; expiresAt: ExpiresAtInput } & WriteCondition,
    ) =>
      taskEntry(
        await json<TaskStateEntryWire>("PUT", `${tiPath(ti)}/${enc(key)}`, {
          query: { map_index: ti.mapIndex, include: ENTRY_INCLUDE },
          headers: writeHeaders(body),
          body: { value: body.value, expires_at: body.expiresAt },
        }),
      ),

    /** `PATCH …/state-store/{key}`: replaces the value, keeps expires_at; 404 when the key is missing. */
    patchTaskState: async (ti: TaskInstanceRef, key: string, body: { value: JsonValue } & WriteCondition) =>
      taskEntry(
        await json<TaskStateEntryWire>("PATCH", `${tiPath(ti)}/${enc(key)}`, {
          query: { map_index: ti.mapIndex, include: ENTRY_INCLUDE },
          headers: writeHeaders(body),
          body: { value: body.value },
        }),
      ),

    /** `DELETE …/state-store/{key}`; with `ifVersion` (If-Match) a newer write makes it fail with 412. */
    async deleteTaskState(ti: TaskInstanceRef, key: string, condition: WriteCondition = {}): Promise<void> {
      await request("DELETE", `${tiPath(ti)}/${enc(key)}`, {
        query: { map_index: ti.mapIndex },
        headers: conditionHeaders(condition),
      });
    },

    /** `DELETE …/state-store`: clears this map index, or every map index of the task with `allMapIndices`. */
    async clearTaskState(ti: TaskInstanceRef, opts: { allMapIndices: boolean }): Promise<void> {
      await request("DELETE", tiPath(ti), {
        query: { map_index: ti.mapIndex, ...(opts.allMapIndices ? { all_map_indices: true } : {}) },
      });
    },

    /** `GET /api/v2/assets/{asset_id}/state-store`. */
    async listAssetState(assetId: number, params: StateListParams = {}): Promise<Page<AssetStateEntry>> {
      const r = await json<{ asset_state_store: AssetStateEntryWire[]; total_entries: number }>(
        "GET",
        assetPath(assetId),
        { query: { ...params, include: ENTRY_INCLUDE } },
      );
      return { items: r.asset_state_store.map(assetEntry), total: r.total_entries };
    },

    /** `GET /api/v2/assets/{asset_id}/state-store/{key}`. */
    getAssetState: async (assetId: number, key: string) =>
      assetEntry(
        await json<AssetStateEntryWire>("GET", `${assetPath(assetId)}/${enc(key)}`, {
          query: { include: ENTRY_INCLUDE },
        }),
      ),

    /** `PUT /api/v2/assets/{asset_id}/state-store/{key}` (recorded as written by "api"). */
    putAssetState: async (assetId: number, key: string, body: { value: JsonValue } & WriteCondition) =>
      assetEntry(
        await json<AssetStateEntryWire>("PUT", `${assetPath(assetId)}/${enc(key)}`, {
          query: { include: ENTRY_INCLUDE },
          headers: writeHeaders(body),
          body: { value: body.value },
        }),
      ),

    /** `PATCH /api/v2/assets/{asset_id}/state-store/{key}`; 404 when the key is missing. */
    patchAssetState: async (assetId: number, key: string, body: { value: JsonValue } & WriteCondition) =>
      assetEntry(
        await json<AssetStateEntryWire>("PATCH", `${assetPath(assetId)}/${enc(key)}`, {
          query: { include: ENTRY_INCLUDE },
          headers: writeHeaders(body),
          body: { value: body.value },
        }),
      ),

    /** `DELETE /api/v2/assets/{asset_id}/state-store/{key}`, under the {@link WriteCondition}. */
    async deleteAssetState(assetId: number, key: string, condition: WriteCondition = {}): Promise<void> {
      await request("DELETE", `${assetPath(assetId)}/${enc(key)}`, {
        headers: conditionHeaders(condition),
      });
    },

    /** `DELETE /api/v2/assets/{asset_id}/state-store`: clears every key of the asset. */
    async clearAssetState(assetId: number): Promise<void> {
      await request("DELETE", assetPath(assetId));
    },
  };
}

/** The headers of a write: the entry in the answer, and the precondition. */
function conditionHeaders(condition: WriteCondition): Record<string, string> {
  return {
    // A backend without versions reports 0, which has no ETag to match.
    ...(condition.ifVersion !== undefined && condition.ifVersion > 0
      ? { "if-match": `"${condition.ifVersion}"` }
      : {}),
    ...(condition.ifAbsent === true ? { "if-none-match": "*" } : {}),
  };
}

function writeHeaders(condition: WriteCondition): Record<string, string> {
  return { prefer: "return=representation", ...conditionHeaders(condition) };
}

/** A task state entry as the UI uses it; extras the server left out read as version 0, not a reference. */
function taskEntry(wire: TaskStateEntryWire): StateEntry {
  return {
    key: wire.key,
    value: wire.value,
    version: wire.version ?? 0,
    // The document allows null for a backend that records no write time; the api-server's always does.
    updated_at: wire.updated_at as string,
    expires_at: wire.expires_at,
    is_reference: wire.is_reference === true,
    ...(wire.ref !== undefined ? { ref: wire.ref } : {}),
  };
}

/** As {@link taskEntry}; asset state never expires. */
function assetEntry(wire: AssetStateEntryWire): AssetStateEntry {
  return { ...taskEntry({ ...wire, expires_at: null }), last_updated_by: wire.last_updated_by };
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function queryString(query: Record<string, string | number | boolean | undefined> | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === "") continue;
    params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}
