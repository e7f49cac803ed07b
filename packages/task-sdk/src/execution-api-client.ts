import { setTimeout as sleep } from "node:timers/promises";
import {
  type AssetStateValueWrite,
  ERROR_CODE_HEADER,
  type ExecutionApiExtensions,
  readErrorAnswer,
  type StateValue,
  type TaskInstance,
  type TaskInstanceStateUpdate,
  type TaskStateValueWrite,
  versionOfEtag,
} from "@tidemark/api-client";
import {
  errorCodeForHttpStatus,
  type JsonValue,
  StateStoreError,
  type StateStoreErrorCode,
} from "@tidemark/state";
import type { AssetAddress, DeclaredAsset } from "./asset.js";
import { executionApiRouteOf } from "./execution-api-route.js";
import { fetchTraced } from "./execution-api-tracing.js";
import { retryAfterMs } from "./retry-after.js";
import { backoffDelayMs, DEFAULT_RETRY_OPTIONS, type RetryOptions } from "./retry-options.js";
import type { ReportableTaskInstanceState, TaskInstanceInfo, VersionedValue } from "./task-instance-info.js";
import { type ExecutionApiRetryReason, reportMetric, type WorkerMetricsHook } from "./worker-metrics-hook.js";

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
  /**
   * Callbacks told about every request, retry and written value (see {@link WorkerMetricsHook}), for a
   * worker's metrics. Default none.
   */
  readonly metrics?: WorkerMetricsHook;
  /**
   * Waits between attempts: resolves after `ms` milliseconds. Default a timer; tests inject one that
   * records the delays instead.
   */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Options of {@link ExecutionApiClient.setTaskState}. */
export interface SetTaskStateRequest {
  /**
   * Absolute UTC expiry; null never expires; `"default"` lets the server apply
   * `state_store.default_retention_days` (needs the server's `default-expiry` extension).
   */
  readonly expiresAt: Date | null | "default";
  /** Compare-and-set: write only at this version (else `CONFLICT`). */
  readonly ifVersion?: number;
  /** Compare-and-set: write only when no live value exists (else `CONFLICT`). */
  readonly ifAbsent?: boolean;
}

/** Options of {@link ExecutionApiClient.setAssetState}. */
export interface SetAssetStateRequest {
  /** Compare-and-set: write only at this version (else `CONFLICT`). */
  readonly ifVersion?: number;
  /** Compare-and-set: write only when no live value exists (else `CONFLICT`). */
  readonly ifAbsent?: boolean;
}

/** Options of {@link ExecutionApiClient.deleteTaskState} and {@link ExecutionApiClient.deleteAssetState}. */
export interface DeleteStateRequest {
  /** Compare-and-delete: delete only at this version (else `CONFLICT`). */
  readonly ifVersion?: number;
}

/** The response header in which a Tidemark server lists its Execution API extensions. */
export const EXTENSIONS_HEADER = "tidemark-extensions";

/** The response header that carries Tidemark's error code on error answers. */
export { ERROR_CODE_HEADER };

/** What a request answered: its parsed JSON body (undefined for 204) and its headers. */
interface ApiResponse {
  readonly body: unknown;
  readonly headers: Headers;
}

interface RequestSpec {
  readonly method: "GET" | "PUT" | "PATCH" | "DELETE";
  readonly path: string;
  readonly body?: unknown;
  /** Extra request headers (conditional requests). */
  readonly headers?: Readonly<Record<string, string>>;
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

/** The conditional request headers of compare-and-set conditions (RFC 9110). */
function conditionHeaders(condition: { ifVersion?: number; ifAbsent?: boolean }): Record<string, string> {
  if (condition.ifVersion !== undefined) return { "if-match": `"${condition.ifVersion}"` };
  if (condition.ifAbsent) return { "if-none-match": "*" };
  return {};
}

/** A failed precondition (412) as the accessors' compare-and-set error, so task code is unchanged. */
function asConflict(error: unknown): unknown {
  if (!(error instanceof StateStoreError) || error.code !== "PRECONDITION_FAILED") return error;
  return new StateStoreError("CONFLICT", error.message, { cause: error, details: error.details });
}

function describeFailure(error: unknown): string {
  const code = causeCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if ((error as { name?: string })?.name === "TimeoutError") return "timed out";
  return code === undefined ? message : `${message} (${code})`;
}

function wireTaskInstance(body: unknown): TaskInstanceInfo {
  // Read defensively: a plain Airflow server may leave members out.
  const b = body as Partial<Record<keyof TaskInstance, unknown>>;
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
 *   ({@link RetryOptions}), waiting longer when a 5xx answer's `Retry-After` asks for it (a shedding
 *   server's 503), up to `retry.maxRetryAfterMs`; conditional writes (`ifVersion` / `ifAbsent`) only when the connection was
 *   refused, since a lost answer would turn a retry into a spurious `CONFLICT`;
 * - after the last attempt: a 5xx throws the server's code (else `BACKEND_UNAVAILABLE`); a network failure
 *   throws `BACKEND_UNAVAILABLE` with the underlying error as `cause`;
 * - the error code comes from the `Tidemark-Error-Code` header first, then the body's `detail.code`, then
 *   Airflow's `detail.reason` / the status.
 *
 * Wire: Airflow's Execution API shapes (`{"value"}`, 204 on writes) plus Tidemark's standard-HTTP
 * extensions. Versions are read from the `ETag`; compare-and-set is sent as `If-Match: "<version>"` /
 * `If-None-Match: *`, and a 412 comes back as `CONFLICT`. Which extensions the server has is learned from
 * the `Tidemark-Extensions` header of any earlier answer, or from `GET /tidemark/extensions`, once per
 * client; against a plain Airflow server (no such header) compare-and-set throws `NOT_SUPPORTED` before
 * anything is sent.
 *
 * Tracing (OpenTelemetry, no-op unless an SDK is registered): every attempt is a CLIENT span
 * `<METHOD> <route>` under the caller's active span, a retry with `http.request.resend_count`, and its
 * W3C trace context goes out in the `traceparent` header, so the server's spans join the task's trace.
 */
export class ExecutionApiClient {
  /** The base URL, without a trailing slash. */
  readonly baseUrl: string;
  /** The metrics hook given as `metrics`; the accessors built on this client report written values to it. */
  readonly metrics: WorkerMetricsHook | undefined;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #token: ExecutionApiClientOptions["token"];
  readonly #fetch: typeof globalThis.fetch;
  readonly #retry: Readonly<Required<RetryOptions>>;
  readonly #timeoutMs: number;
  /** The server's extensions, once an answer told them. */
  #extensions: ReadonlySet<string> | undefined;

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
    this.metrics = options.metrics;
    this.#sleep = options.sleep ?? ((ms) => sleep(ms));
  }

  /**
   * `GET /execution/task-instances/{ti_id}`: the task instance, its try number, inlets and outlets.
   *
   * @throws StateStoreError `TASK_INSTANCE_NOT_FOUND`, `UNAUTHORIZED`, `FORBIDDEN`, `BACKEND_UNAVAILABLE`.
   */
  async getTaskInstance(tiId: string): Promise<TaskInstanceInfo> {
    const { body } = await this.#request({
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
      body: { state } satisfies TaskInstanceStateUpdate,
      idempotent: true,
    });
  }

  /**
   * The Execution API extensions the server advertises (`Tidemark-Extensions`), for example
   * `conditional-requests`. Learned from any earlier answer, else asked once at `GET /tidemark/extensions`;
   * a server without that route (a plain Airflow server) has none.
   *
   * @returns the extension tokens.
   * @throws StateStoreError `BACKEND_UNAVAILABLE` when the server cannot be reached.
   */
  async extensions(): Promise<ReadonlySet<string>> {
    if (this.#extensions !== undefined) return this.#extensions;
    try {
      const { body } = await this.#request({ method: "GET", path: "/tidemark/extensions", idempotent: true });
      const list = (body as Partial<ExecutionApiExtensions> | undefined)?.extensions;
      if (Array.isArray(list)) this.#extensions = new Set(list.map(String));
    } catch (error) {
      if (!(error instanceof StateStoreError) || error.code === "BACKEND_UNAVAILABLE") throw error;
      this.#extensions = new Set();
    }
    return this.#extensions ?? new Set();
  }

  async #requireExtension(extension: string, what: string): Promise<void> {
    if ((await this.extensions()).has(extension)) return;
    throw new StateStoreError(
      "NOT_SUPPORTED",
      `${what} needs the Execution API extension ${extension}, which the server at ${this.baseUrl} does not advertise (Airflow's Execution API has none of Tidemark's extensions); ${extension === "conditional-requests" ? "write without ifVersion / ifAbsent, or use a Tidemark api-server whose backend has compare-and-set" : "give the key an explicit retention, or set state_store.default_retention_days on the worker"}`,
      { details: { extension } },
    );
  }

  /**
   * `GET /execution/store/ti/{ti_id}/{key}` → `{"value"}`, the version from the `ETag`.
   *
   * @returns the stored value (an envelope stays an envelope here) and its version (null without an ETag).
   * @throws StateStoreError `NOT_FOUND` for a missing or expired key; `UNAUTHORIZED`, `FORBIDDEN`, …
   */
  async getTaskState(tiId: string, key: string): Promise<VersionedValue<JsonValue>> {
    const answer = await this.#request({
      method: "GET",
      path: this.#taskKeyPath(tiId, key),
      idempotent: true,
    });
    return versionedValueOf(answer);
  }

  /**
   * `PUT /execution/store/ti/{ti_id}/{key}` with `{"value", "expires_at"}`; compare-and-set conditions
   * travel as `If-Match` / `If-None-Match: *`.
   *
   * @param value - a JSON value (already validated and, with a worker backend, already an envelope).
   * @param request - `expiresAt` (UTC, null = never, `"default"` = the server's retention) and
   *   compare-and-set conditions.
   * @throws StateStoreError `CONFLICT` (a failed condition, answered 412); `NOT_SUPPORTED` before sending
   *   when the server lacks `conditional-requests` (for a condition) or `default-expiry` (for
   *   `"default"`); `INVALID_KEY`, `INVALID_VALUE`, `VALUE_TOO_LARGE`, `UNAUTHORIZED`, …
   */
  async setTaskState(
    tiId: string,
    key: string,
    value: JsonValue,
    request: SetTaskStateRequest,
  ): Promise<void> {
    const path = this.#taskKeyPath(tiId, key);
    const conditional = request.ifVersion !== undefined || request.ifAbsent === true;
    if (conditional)
      await this.#requireExtension("conditional-requests", "compare-and-set (ifVersion / ifAbsent)");
    if (request.expiresAt === "default")
      await this.#requireExtension("default-expiry", 'expires_at "default"');
    const expires =
      request.expiresAt === null || request.expiresAt === "default"
        ? request.expiresAt
        : request.expiresAt.toISOString();
    await this.#request({
      method: "PUT",
      path,
      body: { value, expires_at: expires } satisfies TaskStateValueWrite,
      headers: conditionHeaders(request),
      idempotent: !conditional,
    }).catch((error: unknown) => {
      throw asConflict(error);
    });
  }

  /**
   * `DELETE /execution/store/ti/{ti_id}/{key}`; a missing key is not an error. With `ifVersion`, a
   * compare-and-delete sent as `If-Match`.
   *
   * @throws StateStoreError `CONFLICT` when `ifVersion` does not match; `NOT_SUPPORTED` before sending when
   *   the server lacks `conditional-requests`.
   */
  async deleteTaskState(tiId: string, key: string, request: DeleteStateRequest = {}): Promise<void> {
    const path = this.#taskKeyPath(tiId, key);
    if (request.ifVersion !== undefined)
      await this.#requireExtension("conditional-requests", "delete with ifVersion");
    await this.#request({
      method: "DELETE",
      path,
      headers: conditionHeaders(request),
      idempotent: request.ifVersion === undefined,
    }).catch((error: unknown) => {
      throw asConflict(error);
    });
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
   * `GET /execution/store/asset/by-name/value?name=…&key=…` (or `by-uri` with `uri=`) → `{"value"}`, the
   * version from the `ETag`.
   *
   * @throws StateStoreError `NOT_FOUND` for a missing key; `ASSET_NOT_FOUND` for an unknown or inactive
   *   asset; `FORBIDDEN` for an asset the task instance did not declare.
   */
  async getAssetState(asset: AssetAddress, key: string): Promise<VersionedValue<JsonValue>> {
    const { route, query } = assetQuery(asset, key);
    const answer = await this.#request({
      method: "GET",
      path: `/store/asset/${route}/value?${query}`,
      idempotent: true,
    });
    return versionedValueOf(answer);
  }

  /**
   * `PUT /execution/store/asset/by-name/value?name=…&key=…` with `{"value"}`; conditions as
   * {@link setTaskState}.
   *
   * @throws StateStoreError `CONFLICT`; `NOT_SUPPORTED` before sending for a condition the server cannot
   *   honour; otherwise as {@link setTaskState}.
   */
  async setAssetState(
    asset: AssetAddress,
    key: string,
    value: JsonValue,
    request: SetAssetStateRequest = {},
  ): Promise<void> {
    const { route, query } = assetQuery(asset, key);
    const conditional = request.ifVersion !== undefined || request.ifAbsent === true;
    if (conditional)
      await this.#requireExtension("conditional-requests", "compare-and-set (ifVersion / ifAbsent)");
    await this.#request({
      method: "PUT",
      path: `/store/asset/${route}/value?${query}`,
      body: { value } satisfies AssetStateValueWrite,
      headers: conditionHeaders(request),
      idempotent: !conditional,
    }).catch((error: unknown) => {
      throw asConflict(error);
    });
  }

  /** `DELETE /execution/store/asset/by-name/value?name=…&key=…`; conditional with `ifVersion` as {@link deleteTaskState}. */
  async deleteAssetState(asset: AssetAddress, key: string, request: DeleteStateRequest = {}): Promise<void> {
    const { route, query } = assetQuery(asset, key);
    if (request.ifVersion !== undefined)
      await this.#requireExtension("conditional-requests", "delete with ifVersion");
    await this.#request({
      method: "DELETE",
      path: `/store/asset/${route}/value?${query}`,
      headers: conditionHeaders(request),
      idempotent: request.ifVersion === undefined,
    }).catch((error: unknown) => {
      throw asConflict(error);
    });
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

  /** Remembers the extensions an answer advertised (none when it carries no such header). */
  #learn(headers: Headers): void {
    const list = headers.get(EXTENSIONS_HEADER);
    this.#extensions = new Set(
      (list ?? "")
        .split(",")
        .map((token) => token.trim())
        .filter((token) => token !== ""),
    );
  }

  async #request(spec: RequestSpec): Promise<ApiResponse> {
    const url = `${this.baseUrl}${spec.path}`;
    const what = `${spec.method} ${url}`;
    const attempts = this.#retry.attempts;
    const { route, operation } = executionApiRouteOf(spec.method, spec.path);
    const metrics = this.metrics;
    const retrying = async (attempt: number, reason: ExecutionApiRetryReason, response?: Response) => {
      const backoff = backoffDelayMs(attempt, this.#retry);
      const asked = response === undefined ? undefined : retryAfterMs(response.headers.get("retry-after"));
      const honoured = asked !== undefined && asked > backoff;
      const delayMs = honoured ? Math.min(asked, this.#retry.maxRetryAfterMs) : backoff;
      const status = response?.status ?? null;
      reportMetric(metrics, "retry", {
        method: spec.method,
        route,
        operation,
        reason,
        status,
        attempt,
        delayMs,
        retryAfter: honoured,
      });
      await this.#sleep(delayMs);
    };
    let lastNetworkError: unknown;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      const started = performance.now();
      const reported = (status: number | null) =>
        reportMetric(metrics, "request", {
          method: spec.method,
          route,
          operation,
          status,
          durationMs: performance.now() - started,
          attempt,
        });
      try {
        const token = typeof this.#token === "function" ? await this.#token() : this.#token;
        const headers: Record<string, string> = {
          ...(spec.headers ?? {}),
          authorization: `Bearer ${token}`,
          accept: "application/json",
        };
        const init: RequestInit & { headers: Record<string, string> } = {
          method: spec.method,
          headers,
          signal: AbortSignal.timeout(this.#timeoutMs),
        };
        if (spec.body !== undefined) {
          headers["content-type"] = "application/json";
          init.body = JSON.stringify(spec.body);
        }
        response = await fetchTraced(this.#fetch, url, init, { route, operation, attempt });
      } catch (error) {
        reported(null);
        lastNetworkError = error;
        const retryable = spec.idempotent || NOT_DELIVERED.has(causeCode(error) ?? "");
        if (retryable && attempt < attempts) {
          const timedOut = (error as { name?: string })?.name === "TimeoutError";
          await retrying(attempt, timedOut ? "timeout" : "connection_error");
          continue;
        }
        throw new StateStoreError(
          "BACKEND_UNAVAILABLE",
          `Execution API unreachable: ${what} failed after ${attempt} attempt${attempt === 1 ? "" : "s"}: ${describeFailure(error)}; check workers.execution_api_url and that \`tidemark api-server\` is running`,
          { cause: lastNetworkError, details: { method: spec.method, url, attempts: attempt } },
        );
      }
      if (response.status < 500) this.#learn(response.headers);
      if (response.status === 204) {
        await response.body?.cancel();
        reported(204);
        return { body: undefined, headers: response.headers };
      }
      const text = await response.text();
      reported(response.status);
      if (response.ok) {
        try {
          return { body: text === "" ? undefined : JSON.parse(text), headers: response.headers };
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
        await retrying(attempt, "server_error", response);
        continue;
      }
      throw errorFromResponse(response.status, text, what, attempt, response.headers);
    }
  }
}

/** A GET answer's value with its version from the `ETag`. */
function versionedValueOf(answer: ApiResponse): VersionedValue<JsonValue> {
  const body = answer.body as StateValue | undefined;
  return { value: body?.value as JsonValue, version: versionOfEtag(answer.headers.get("etag")) ?? null };
}

function errorFromResponse(
  status: number,
  text: string,
  what: string,
  attempts: number,
  headers: Headers,
): StateStoreError {
  const answer = readErrorAnswer({ status, headers }, text);
  // A bare 404 (no Tidemark or Airflow error body) is a wrong URL, never a missing key.
  if (answer.code === undefined && status === 404) {
    return new StateStoreError(
      "CONFIG_ERROR",
      `${what} answered 404 without a Tidemark or Airflow error body; check that workers.execution_api_url points at the Execution API (for example http://127.0.0.1:8080/execution)`,
      { details: { status, option: "workers.execution_api_url" } },
    );
  }
  const code: StateStoreErrorCode = answer.code ?? errorCodeForHttpStatus(status);
  const message =
    answer.message ??
    `${what} answered HTTP ${status}${status >= 500 ? ` after ${attempts} attempt${attempts === 1 ? "" : "s"}` : ""}${text ? `: ${text.slice(0, 200)}` : ""}`;
  return new StateStoreError(code, message, { details: { status, reason: answer.reason } });
}
