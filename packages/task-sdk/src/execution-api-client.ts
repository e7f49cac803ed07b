import { setTimeout as sleep } from "node:timers/promises";
import {
  errorCodeForHttpStatus,
  isStateStoreErrorCode,
  type JsonValue,
  StateStoreError,
  type StateStoreErrorCode,
} from "@tidemark/state";
import type { AssetAddress, DeclaredAsset } from "./asset.js";
import { backoffDelayMs, DEFAULT_RETRY_OPTIONS, type RetryOptions } from "./retry-options.js";
import type { ReportableTaskInstanceState, TaskInstanceInfo, VersionedValue } from "./task-instance-info.js";

/** Options of {@link ExecutionApiClient}. */
export interface ExecutionApiClientOptions {
  /**
   * Base URL of the Execution API including its `/execution` prefix, for example
   * `http://127.0.0.1:8080/execution` (the configuration option `workers.execution_api_url`).
   */
  readonly baseUrl: string;
  /**
   * The task instance's (or watcher's) bearer token, or a function returning the current one; it is asked
   * for on every request, so a function can refresh tokens.
   */
  readonly token: string | (() => string | Promise<string>);
  /** The fetch implementation. Default the global `fetch`. */
  readonly fetch?: typeof globalThis.fetch;
  /** Retries of connection errors, timeouts and 5xx answers. See {@link RetryOptions}. */
  readonly retry?: RetryOptions;
  /** Time limit of one attempt, in milliseconds. Default 30,000. */
  readonly timeoutMs?: number;
}

/** Options of {@link ExecutionApiClient.setTaskState}. */
export interface SetTaskStateRequest {
  /** Absolute UTC expiry; null never expires. */
  readonly expiresAt: Date | null;
  /** Compare-and-set: write only at this version (else `CONFLICT`). */
  readonly ifVersion?: number;
  /** Compare-and-set: write only when no live value exists (else `CONFLICT`). */
  readonly ifAbsent?: boolean;
}

/** Options of {@link ExecutionApiClient.setAssetState}. */
export interface SetAssetStateRequest {
  readonly ifVersion?: number;
  readonly ifAbsent?: boolean;
}

interface RequestSpec {
  readonly method: "GET" | "PUT" | "PATCH" | "DELETE";
  readonly path: string;
  readonly body?: unknown;
  /**
   * Whether repeating the call is harmless. Conditional writes are not: when a first attempt commits but
   * its answer is lost, the retry reports a spurious CONFLICT. They are retried only when the connection
   * was refused, so the request cannot have arrived.
   */
  readonly idempotent: boolean;
}

/** Connection errors that prove the request never reached the server. */
const NOT_DELIVERED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function describeFailure(error: unknown): string {
  const code = causeCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if ((error as { name?: string })?.name === "TimeoutError") return "timed out";
  return code === undefined ? message : `${message} (${code})`;
}

function wireTaskInstance(body: unknown): TaskInstanceInfo {
  const b = body as Record<string, unknown>;
  const assets = (list: unknown): DeclaredAsset[] =>
    Array.isArray(list) ? list.map((a) => Object.freeze({ name: String(a.name), uri: String(a.uri) })) : [];
  return Object.freeze({
    id: String(b.id),
    dagId: String(b.dag_id),
    runId: String(b.run_id),
    taskId: String(b.task_id),
    mapIndex: Number(b.map_index),
    state: typeof b.state === "string" ? b.state : null,
    tryNumber: Number(b.try_number),
    inlets: Object.freeze(assets(b.inlets)),
    outlets: Object.freeze(assets(b.outlets)),
  });
}

function assetQuery(asset: AssetAddress, key?: string): { route: "by-name" | "by-uri"; query: string } {
  const parts: string[] = [];
  let route: "by-name" | "by-uri";
  if (typeof asset.name === "string") {
    route = "by-name";
    parts.push(`name=${encodeURIComponent(asset.name)}`);
  } else if (typeof asset.uri === "string") {
    route = "by-uri";
    parts.push(`uri=${encodeURIComponent(asset.uri)}`);
  } else {
    throw new StateStoreError("INVALID_SCOPE", "an asset must be addressed by name or by uri");
  }
  if (key !== undefined) parts.push(`key=${encodeURIComponent(key)}`);
  return { route, query: parts.join("&") };
}

/**
 * Typed HTTP client of the Execution API, the only way a worker reaches state: one method per route.
 * Keys are percent-encoded with `encodeURIComponent` (so "/", "%", "?", "#" and Unicode survive).
 *
 * Failures:
 * - a 4xx answer is not retried and throws a `StateStoreError` with the server's `code` and `message`
 *   (falling back to `errorCodeForHttpStatus(status)` when the body carries no code, except that a 404
 *   without a Tidemark body is `CONFIG_ERROR`: a wrong base URL must never read as a missing key);
 * - the task state keys "." and ".." throw `INVALID_KEY` before sending: URL parsing removes such path
 *   segments (asset keys travel in the query and are not affected);
 * - connection errors, timeouts and 5xx answers (except 501) are retried with capped exponential backoff
 *   ({@link RetryOptions}); conditional writes (`ifVersion` / `ifAbsent`) only when the connection was
 *   refused, since a lost answer would turn a retry into a spurious `CONFLICT`;
 * - after the last attempt: a 5xx throws the server's code (else `BACKEND_UNAVAILABLE`); a network failure
 *   throws `BACKEND_UNAVAILABLE` with the underlying error as `cause`.
 */
export class ExecutionApiClient {
  /** The base URL, without a trailing slash. */
  readonly baseUrl: string;
  readonly #token: ExecutionApiClientOptions["token"];
  readonly #fetch: typeof globalThis.fetch;
  readonly #retry: Readonly<Required<RetryOptions>>;
  readonly #timeoutMs: number;

  /**
   * @param options - base URL (with `/execution`), token, and optional fetch, retry and timeout.
   * @throws StateStoreError `CONFIG_ERROR` when the base URL is not an http(s) URL.
   */
  constructor(options: ExecutionApiClientOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch (cause) {
      throw new StateStoreError(
        "CONFIG_ERROR",
        `Execution API base URL ${JSON.stringify(options.baseUrl)} is not a URL; set workers.execution_api_url to for example http://127.0.0.1:8080/execution`,
        { cause, details: { option: "workers.execution_api_url" } },
      );
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new StateStoreError(
        "CONFIG_ERROR",
        `Execution API base URL ${JSON.stringify(options.baseUrl)} must use http or https`,
        { details: { option: "workers.execution_api_url" } },
      );
    }
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.#token = options.token;
    this.#fetch = options.fetch ?? globalThis.fetch;
    const retry = { ...DEFAULT_RETRY_OPTIONS, ...(options.retry ?? {}) };
    if (!Number.isInteger(retry.attempts) || retry.attempts < 1) {
      throw new StateStoreError(
        "CONFIG_ERROR",
        `retry.attempts must be an integer >= 1, got ${retry.attempts}`,
      );
    }
    this.#retry = Object.freeze(retry);
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  /**
   * `GET /execution/task-instances/{ti_id}`: the task instance, its try number, inlets and outlets.
   *
   * @throws StateStoreError `TASK_INSTANCE_NOT_FOUND`, `UNAUTHORIZED`, `FORBIDDEN`, `BACKEND_UNAVAILABLE`.
   */
  async getTaskInstance(tiId: string): Promise<TaskInstanceInfo> {
    const body = await this.#request({
      method: "GET",
      path: `/task-instances/${encodeURIComponent(tiId)}`,
      idempotent: true,
    });
    return wireTaskInstance(body);
  }

  /**
   * `PATCH /execution/task-instances/{ti_id}/state`: reports the task instance's state. With
   * `state_store.clear_on_success`, reporting `success` clears its task state rows on the server.
   *
   * @throws StateStoreError `TASK_INSTANCE_NOT_FOUND`, `INVALID_VALUE`, `UNAUTHORIZED`, `FORBIDDEN`,
   *   `BACKEND_UNAVAILABLE`.
   */
  async setTaskInstanceState(tiId: string, state: ReportableTaskInstanceState): Promise<void> {
    await this.#request({
      method: "PATCH",
      path: `/task-instances/${encodeURIComponent(tiId)}/state`,
      body: { state },
      idempotent: true,
    });
  }

  /**
   * `GET /execution/store/ti/{ti_id}/{key}`.
   *
   * @returns the stored value (an envelope stays an envelope here) and its version.
   * @throws StateStoreError `NOT_FOUND` for a missing or expired key; `UNAUTHORIZED`, `FORBIDDEN`, …
   */
  async getTaskState(tiId: string, key: string): Promise<VersionedValue<JsonValue>> {
    const body = (await this.#request({
      method: "GET",
      path: this.#taskKeyPath(tiId, key),
      idempotent: true,
    })) as { value: JsonValue; version?: number | null };
    return { value: body.value, version: body.version ?? null };
  }

  /**
   * `PUT /execution/store/ti/{ti_id}/{key}` with `{"value", "expires_at", "if_version"?, "if_absent"?}`.
   *
   * @param value - a JSON value (already validated and, with a worker backend, already an envelope).
   * @param request - `expiresAt` (UTC, null = never) and compare-and-set conditions.
   * @throws StateStoreError `CONFLICT`, `INVALID_KEY`, `INVALID_VALUE`, `VALUE_TOO_LARGE`, `UNAUTHORIZED`, …
   */
  async setTaskState(
    tiId: string,
    key: string,
    value: JsonValue,
    request: SetTaskStateRequest,
  ): Promise<void> {
    const body: Record<string, unknown> = {
      value,
      expires_at: request.expiresAt === null ? null : request.expiresAt.toISOString(),
    };
    if (request.ifVersion !== undefined) body.if_version = request.ifVersion;
    if (request.ifAbsent) body.if_absent = true;
    await this.#request({
      method: "PUT",
      path: this.#taskKeyPath(tiId, key),
      body,
      idempotent: request.ifVersion === undefined && !request.ifAbsent,
    });
  }

  /** `DELETE /execution/store/ti/{ti_id}/{key}`; a missing key is not an error. */
  async deleteTaskState(tiId: string, key: string): Promise<void> {
    await this.#request({ method: "DELETE", path: this.#taskKeyPath(tiId, key), idempotent: true });
  }

  /** `DELETE /execution/store/ti/{ti_id}`: clears the task instance's own map index only. */
  async clearTaskState(tiId: string): Promise<void> {
    await this.#request({
      method: "DELETE",
      path: `/store/ti/${encodeURIComponent(tiId)}`,
      idempotent: true,
    });
  }

  /**
   * `GET /execution/store/asset/by-name/value?name=…&key=…` (or `by-uri` with `uri=`).
   *
   * @throws StateStoreError `NOT_FOUND` for a missing key; `ASSET_NOT_FOUND` for an unknown or inactive
   *   asset; `FORBIDDEN` for an asset the task instance did not declare.
   */
  async getAssetState(asset: AssetAddress, key: string): Promise<VersionedValue<JsonValue>> {
    const { route, query } = assetQuery(asset, key);
    const body = (await this.#request({
      method: "GET",
      path: `/store/asset/${route}/value?${query}`,
      idempotent: true,
    })) as { value: JsonValue; version?: number | null };
    return { value: body.value, version: body.version ?? null };
  }

  /** `PUT /execution/store/asset/by-name/value?name=…&key=…` with `{"value", "if_version"?, "if_absent"?}`. */
  async setAssetState(
    asset: AssetAddress,
    key: string,
    value: JsonValue,
    request: SetAssetStateRequest = {},
  ): Promise<void> {
    const { route, query } = assetQuery(asset, key);
    const body: Record<string, unknown> = { value };
    if (request.ifVersion !== undefined) body.if_version = request.ifVersion;
    if (request.ifAbsent) body.if_absent = true;
    await this.#request({
      method: "PUT",
      path: `/store/asset/${route}/value?${query}`,
      body,
      idempotent: request.ifVersion === undefined && !request.ifAbsent,
    });
  }

  /** `DELETE /execution/store/asset/by-name/value?name=…&key=…`; a missing key is not an error. */
  async deleteAssetState(asset: AssetAddress, key: string): Promise<void> {
    const { route, query } = assetQuery(asset, key);
    await this.#request({ method: "DELETE", path: `/store/asset/${route}/value?${query}`, idempotent: true });
  }

  /** `DELETE /execution/store/asset/by-name/clear?name=…`: every key of the asset. */
  async clearAssetState(asset: AssetAddress): Promise<void> {
    const { route, query } = assetQuery(asset);
    await this.#request({ method: "DELETE", path: `/store/asset/${route}/clear?${query}`, idempotent: true });
  }

  #taskKeyPath(tiId: string, key: string): string {
    if (key === "." || key === "..") {
      throw new StateStoreError(
        "INVALID_KEY",
        `task state key ${JSON.stringify(key)} cannot travel in a URL path (URL parsers remove "." and ".." segments); choose another key`,
      );
    }
    return `/store/ti/${encodeURIComponent(tiId)}/${encodeURIComponent(key)}`;
  }

  async #request(spec: RequestSpec): Promise<unknown> {
    const url = `${this.baseUrl}${spec.path}`;
    const what = `${spec.method} ${url}`;
    const attempts = this.#retry.attempts;
    let lastNetworkError: unknown;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        const token = typeof this.#token === "function" ? await this.#token() : this.#token;
        const headers: Record<string, string> = {
          authorization: `Bearer ${token}`,
          accept: "application/json",
        };
        const init: RequestInit = {
          method: spec.method,
          headers,
          signal: AbortSignal.timeout(this.#timeoutMs),
        };
        if (spec.body !== undefined) {
          headers["content-type"] = "application/json";
          init.body = JSON.stringify(spec.body);
        }
        response = await this.#fetch(url, init);
      } catch (error) {
        lastNetworkError = error;
        const retryable = spec.idempotent || NOT_DELIVERED.has(causeCode(error) ?? "");
        if (retryable && attempt < attempts) {
          await sleep(backoffDelayMs(attempt, this.#retry));
          continue;
        }
        throw new StateStoreError(
          "BACKEND_UNAVAILABLE",
          `Execution API unreachable: ${what} failed after ${attempt} attempt${attempt === 1 ? "" : "s"}: ${describeFailure(error)}; check workers.execution_api_url and that \`tidemark api-server\` is running`,
          { cause: lastNetworkError, details: { method: spec.method, url, attempts: attempt } },
        );
      }
      if (response.status === 204) {
        await response.body?.cancel();
        return undefined;
      }
      const text = await response.text();
      if (response.ok) {
        try {
          return text === "" ? undefined : JSON.parse(text);
        } catch (cause) {
          throw new StateStoreError(
            "BACKEND_UNAVAILABLE",
            `${what} answered ${response.status} with a body that is not JSON; is workers.execution_api_url pointing at a Tidemark Execution API?`,
            { cause, details: { method: spec.method, url, status: response.status } },
          );
        }
      }
      const retryable5xx = response.status >= 500 && response.status !== 501 && spec.idempotent;
      if (retryable5xx && attempt < attempts) {
        await sleep(backoffDelayMs(attempt, this.#retry));
        continue;
      }
      throw errorFromResponse(response.status, text, what, attempt);
    }
  }
}

function errorFromResponse(status: number, text: string, what: string, attempts: number): StateStoreError {
  let detail: { reason?: unknown; message?: unknown; code?: unknown } | undefined;
  try {
    const parsed = JSON.parse(text) as { detail?: unknown; message?: unknown };
    if (typeof parsed.detail === "object" && parsed.detail !== null) detail = parsed.detail as typeof detail;
    else if (typeof parsed.detail === "string") detail = { message: parsed.detail };
    else if (typeof parsed.message === "string") detail = { message: parsed.message };
  } catch {
    detail = undefined;
  }
  // A 404 without a Tidemark code is not "key missing": it is a wrong URL (a proxy, another server).
  const code: StateStoreErrorCode = isStateStoreErrorCode(detail?.code)
    ? detail.code
    : status === 404
      ? "CONFIG_ERROR"
      : errorCodeForHttpStatus(status);
  if (code === "CONFIG_ERROR" && status === 404 && !isStateStoreErrorCode(detail?.code)) {
    return new StateStoreError(
      code,
      `${what} answered 404 without a Tidemark error body; check that workers.execution_api_url points at the Execution API (for example http://127.0.0.1:8080/execution)`,
      { details: { status, option: "workers.execution_api_url" } },
    );
  }
  const serverMessage =
    typeof detail?.message === "string" && detail.message !== "" ? detail.message : undefined;
  const message =
    serverMessage ??
    `${what} answered HTTP ${status}${status >= 500 ? ` after ${attempts} attempt${attempts === 1 ? "" : "s"}` : ""}${text ? `: ${text.slice(0, 200)}` : ""}`;
  return new StateStoreError(code, message, {
    details: { status, reason: typeof detail?.reason === "string" ? detail.reason : undefined },
  });
}
