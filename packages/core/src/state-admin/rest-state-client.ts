import { readErrorAnswer } from "@tidemark/api-client";
import {
  assetNotFound,
  errorCodeForHttpStatus,
  NO_REGION_ID,
  requireRegionId,
  StateStoreError,
} from "@tidemark/state";
import type {
  AssetLookup,
  AssetStateWrite,
  BrowseRequest,
  StatePageRequest,
  StateStoreAccess,
  TaskStateWrite,
  TaskTarget,
  ValueWrite,
} from "./state-store-access.js";
import type {
  AssetListJson,
  AssetStateEntryJson,
  AssetStateListJson,
  AssetSummaryJson,
  DagListJson,
  DagRunListJson,
  TaskInstanceListJson,
  TaskStateEntryJson,
  TaskStateListJson,
  UiConfigJson,
} from "./wire-types.js";

/** Options of {@link RestStateClient}. */
export interface RestStateClientOptions {
  /**
   * The api-server's base URL, for example `http://127.0.0.1:8080` (a trailing `/api/v2` is accepted and
   * ignored).
   */
  readonly apiUrl: string;
  /** The bearer token (one of the server's `api.auth_tokens`); none for a server with `api.auth = "none"`. */
  readonly token?: string | undefined;
  /** The fetch to use. Default: the global fetch. */
  readonly fetch?: typeof fetch;
  /** How long one request may take, in milliseconds. Default 30000. */
  readonly timeoutMs?: number;
  /** The `User-Agent` to send (the CLI sends `tidemark-cli/<version>`). Default: fetch's own. */
  readonly userAgent?: string;
}

type Query = Record<string, string | number | boolean | undefined>;

interface RequestInit {
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
}

const PREFIX = "/api/v2";

/** The extras the client asks for, so entries carry what {@link StateStoreAccess} promises. */
const INCLUDE = "version,reference";

/** An entry as the server sent it (with `include=version,reference`), in the in-process shape and order. */
function taskEntry(wire: TaskStateEntryJson): TaskStateEntryJson {
  return {
    key: wire.key,
    value: wire.value,
    version: wire.version,
    updated_at: wire.updated_at,
    expires_at: wire.expires_at,
    is_reference: wire.is_reference,
    ...(wire.ref === undefined ? {} : { ref: wire.ref }),
    ...(wire.ref_seal === undefined ? {} : { ref_seal: wire.ref_seal }),
  };
}

/** As {@link taskEntry}; asset state never expires, so `expires_at` is null. */
function assetEntry(wire: AssetStateEntryJson): AssetStateEntryJson {
  return { ...taskEntry({ ...wire, expires_at: null }), last_updated_by: wire.last_updated_by };
}

/** What a write sends to get the entry back and make the write conditional. */
function writeInit(write: ValueWrite, query: Query, body: unknown): RequestInit {
  const headers: Record<string, string> = { prefer: "return=representation" };
  if (write.ifVersion !== undefined) headers["if-match"] = `"${write.ifVersion}"`;
  if (write.ifAbsent === true) headers["if-none-match"] = "*";
  return {
    query: {
      ...query,
      include: INCLUDE,
      ...(write.restoreReference === undefined ? {} : { restore_reference: write.restoreReference }),
    },
    body,
    headers,
  };
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function normaliseBaseUrl(apiUrl: string): string {
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new StateStoreError(
      "CONFIG_ERROR",
      `--api-url ${JSON.stringify(apiUrl)} is not a URL; give the api-server's base URL, for example http://127.0.0.1:8080`,
      { details: { option: "--api-url" } },
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new StateStoreError(
      "CONFIG_ERROR",
      `--api-url ${JSON.stringify(apiUrl)} must be an http:// or https:// URL, for example http://127.0.0.1:8080`,
      { details: { option: "--api-url" } },
    );
  }
  const path = url.pathname.replace(/\/+$/, "").replace(/\/api\/v2$/, "");
  return `${url.origin}${path}`;
}

/**
 * A client of the Core REST API (`/api/v2`) over fetch: what `tidemark state-store … --api-url URL
 * --token T` uses. Keys and path segments are percent-encoded. Entries are read with
 * `?include=version,reference`; writes send `Prefer: return=representation` for the entry, `If-Match:
 * "<version>"` for `ifVersion` and `If-None-Match: *` for `ifAbsent` (a 412 becomes `CONFLICT`, as the
 * in-process {@link StateStoreAccess} answers). Errors become `StateStoreError`s with the code of the
 * `Tidemark-Error-Code` header and the message of `detail`; an unreachable server is
 * `BACKEND_UNAVAILABLE` and a URL that is not a Tidemark api-server is `CONFIG_ERROR`, each naming
 * `--api-url`. A task target in a region is sent as `region_id` and `region_index`, so reads and writes
 * reach that region's state.
 */
export class RestStateClient implements StateStoreAccess {
  /** The base URL requests go to (without `/api/v2`). */
  readonly baseUrl: string;
  readonly #token: string | undefined;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #userAgent: string | undefined;

  /**
   * @param options - base URL, token, fetch, timeout.
   * @throws StateStoreError `CONFIG_ERROR` when `apiUrl` is not an http(s) URL.
   */
  constructor(options: RestStateClientOptions) {
    this.baseUrl = normaliseBaseUrl(options.apiUrl);
    this.#token = options.token === "" ? undefined : options.token;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#userAgent = options.userAgent;
  }

  async #request(method: string, path: string, init: RequestInit = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: "application/json", ...init.headers };
    if (this.#token !== undefined) headers.authorization = `Bearer ${this.#token}`;
    if (this.#userAgent !== undefined) headers["user-agent"] = this.#userAgent;
    let body: string | undefined;
    if (init.body !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(init.body);
    }
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(init.query ?? {})) {
      if (value !== undefined) params.set(name, String(value));
    }
    const query = params.toString();
    const url = `${this.baseUrl}${PREFIX}${path}${query === "" ? "" : `?${query}`}`;
    let response: Response;
    try {
      response = await this.#fetch(url, {
        method,
        headers,
        signal: AbortSignal.timeout(this.#timeoutMs),
        ...(body === undefined ? {} : { body }),
      });
    } catch (cause) {
      throw new StateStoreError(
        "BACKEND_UNAVAILABLE",
        `cannot reach the Tidemark api-server at ${this.baseUrl} (${(cause as Error)?.message ?? String(cause)}); check --api-url and that \`tidemark api-server\` is running`,
        { cause, details: { url } },
      );
    }
    if (!response.ok) throw await this.#error(response, method, path);
    return response;
  }

  async #error(response: Response, method: string, path: string): Promise<StateStoreError> {
    const text = await response.text().catch(() => "");
    const { code, message } = readErrorAnswer(response, text);
    if ((response.status === 404 && code === undefined) || code === "ROUTE_NOT_FOUND") {
      return new StateStoreError(
        "CONFIG_ERROR",
        `${this.baseUrl} does not serve the Tidemark Core REST API (${method} ${PREFIX}${path} answered ${response.status}${message === undefined ? "" : `: ${message}`}); check --api-url: it is the api-server's base URL, for example http://127.0.0.1:8080`,
        { details: { status: response.status } },
      );
    }
    const received = code ?? errorCodeForHttpStatus(response.status);
    // A failed If-Match / If-None-Match is the compare-and-set conflict of the in-process contract.
    const finalCode = received === "PRECONDITION_FAILED" ? "CONFLICT" : received;
    let finalMessage =
      message ?? `${method} ${PREFIX}${path} answered HTTP ${response.status} ${text.slice(0, 200)}`;
    if (finalCode === "UNAUTHORIZED") {
      finalMessage += "; pass a token from the server's api.auth_tokens with --token or TIDEMARK_API_TOKEN";
    }
    return new StateStoreError(finalCode, finalMessage, { details: { status: response.status } });
  }

  async #json<T>(method: string, path: string, init?: RequestInit): Promise<T> {
    return (await (await this.#request(method, path, init)).json()) as T;
  }

  async #send(method: string, path: string, init?: RequestInit): Promise<void> {
    const response = await this.#request(method, path, init);
    await response.arrayBuffer();
  }

  #taskPath(target: TaskTarget): string {
    return `/dags/${enc(target.dagId)}/dagRuns/${enc(target.runId)}/taskInstances/${enc(target.taskId)}/state-store`;
  }

  /**
   * The query that addresses the task instance: `map_index` in no region; in a region Airflow 3.4's
   * `region_id` with `region_index` (the map index), which the routes take together.
   */
  #mapIndex(target: TaskTarget): Query {
    const mapIndex = target.mapIndex ?? -1;
    const regionId = requireRegionId(target.regionId);
    if (regionId === NO_REGION_ID) return { map_index: mapIndex };
    return { region_id: regionId, region_index: mapIndex };
  }

  /** `GET /api/v2/config/ui`. */
  uiConfig(): Promise<UiConfigJson> {
    return this.#json("GET", "/config/ui");
  }

  async listTaskState(target: TaskTarget, page: StatePageRequest = {}): Promise<TaskStateListJson> {
    const list = await this.#json<TaskStateListJson>("GET", this.#taskPath(target), {
      query: {
        ...this.#mapIndex(target),
        limit: page.limit,
        offset: page.offset,
        prefix: page.prefix,
        cursor: page.cursor,
        include: INCLUDE,
      },
    });
    return { task_state_store: list.task_state_store.map(taskEntry), total_entries: list.total_entries };
  }

  async getTaskState(target: TaskTarget, key: string): Promise<TaskStateEntryJson> {
    return taskEntry(
      await this.#json("GET", `${this.#taskPath(target)}/${enc(key)}`, {
        query: { ...this.#mapIndex(target), include: INCLUDE },
      }),
    );
  }

  async putTaskState(target: TaskTarget, key: string, write: TaskStateWrite): Promise<TaskStateEntryJson> {
    return taskEntry(
      await this.#json(
        "PUT",
        `${this.#taskPath(target)}/${enc(key)}`,
        writeInit(write, this.#mapIndex(target), {
          value: write.value,
          expires_at: write.expiresAt === undefined ? "default" : write.expiresAt,
        }),
      ),
    );
  }

  async patchTaskState(target: TaskTarget, key: string, write: ValueWrite): Promise<TaskStateEntryJson> {
    return taskEntry(
      await this.#json(
        "PATCH",
        `${this.#taskPath(target)}/${enc(key)}`,
        writeInit(write, this.#mapIndex(target), { value: write.value }),
      ),
    );
  }

  deleteTaskState(target: TaskTarget, key: string): Promise<void> {
    return this.#send("DELETE", `${this.#taskPath(target)}/${enc(key)}`, { query: this.#mapIndex(target) });
  }

  clearTaskState(target: TaskTarget, options: { allMapIndices?: boolean } = {}): Promise<void> {
    return this.#send("DELETE", this.#taskPath(target), {
      query: { ...this.#mapIndex(target), ...(options.allMapIndices ? { all_map_indices: true } : {}) },
    });
  }

  /**
   * Finds an asset: by id through the asset listing, by name through `/assets/by-name/{name}`, by uri
   * through `/assets?search=` (the active asset with exactly that uri, else the newest deactivated one).
   */
  async findAsset(selector: AssetLookup): Promise<AssetSummaryJson> {
    if ("name" in selector) return this.#json("GET", `/assets/by-name/${enc(selector.name)}`);
    const wanted = "uri" in selector ? selector.uri : undefined;
    const matches: AssetSummaryJson[] = [];
    for (let offset = 0; ; offset += 1000) {
      const page = await this.listAssets({
        limit: 1000,
        offset,
        ...(wanted === undefined ? {} : { search: wanted }),
      });
      for (const asset of page.assets) {
        if ("id" in selector ? asset.id === selector.id : asset.uri === wanted) matches.push(asset);
      }
      if (page.assets.length < 1000) break;
    }
    matches.sort((a, b) => Number(b.active) - Number(a.active) || b.id - a.id);
    const found = matches[0];
    if (found === undefined) {
      throw assetNotFound(selector, this.baseUrl);
    }
    return found;
  }

  async listAssetState(assetId: number, page: StatePageRequest = {}): Promise<AssetStateListJson> {
    const list = await this.#json<AssetStateListJson>("GET", `/assets/${assetId}/state-store`, {
      query: {
        limit: page.limit,
        offset: page.offset,
        prefix: page.prefix,
        cursor: page.cursor,
        include: INCLUDE,
      },
    });
    return { asset_state_store: list.asset_state_store.map(assetEntry), total_entries: list.total_entries };
  }

  async getAssetState(assetId: number, key: string): Promise<AssetStateEntryJson> {
    return assetEntry(
      await this.#json("GET", `/assets/${assetId}/state-store/${enc(key)}`, { query: { include: INCLUDE } }),
    );
  }

  /** `PUT`; the server records the writer `{kind: "api"}` (a `write.writer` is not sent). */
  async putAssetState(assetId: number, key: string, write: AssetStateWrite): Promise<AssetStateEntryJson> {
    return assetEntry(
      await this.#json(
        "PUT",
        `/assets/${assetId}/state-store/${enc(key)}`,
        writeInit(write, {}, { value: write.value }),
      ),
    );
  }

  async patchAssetState(assetId: number, key: string, write: ValueWrite): Promise<AssetStateEntryJson> {
    return assetEntry(
      await this.#json(
        "PATCH",
        `/assets/${assetId}/state-store/${enc(key)}`,
        writeInit(write, {}, { value: write.value }),
      ),
    );
  }

  deleteAssetState(assetId: number, key: string): Promise<void> {
    return this.#send("DELETE", `/assets/${assetId}/state-store/${enc(key)}`);
  }

  clearAssetState(assetId: number): Promise<void> {
    return this.#send("DELETE", `/assets/${assetId}/state-store`);
  }

  listDags(request: BrowseRequest = {}): Promise<DagListJson> {
    return this.#json("GET", "/dags", { query: { ...request } });
  }

  listDagRuns(dagId: string, request: BrowseRequest = {}): Promise<DagRunListJson> {
    return this.#json("GET", `/dags/${enc(dagId)}/dagRuns`, { query: { ...request } });
  }

  listTaskInstances(
    dagId: string,
    runId: string,
    request: BrowseRequest = {},
  ): Promise<TaskInstanceListJson> {
    return this.#json("GET", `/dags/${enc(dagId)}/dagRuns/${enc(runId)}/taskInstances`, {
      query: { ...request },
    });
  }

  listAssets(request: BrowseRequest = {}): Promise<AssetListJson> {
    return this.#json("GET", "/assets", { query: { ...request } });
  }
}
