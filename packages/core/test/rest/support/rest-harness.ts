import type { RawConfig } from "@tidemark/config";
import type { BaseStoreBackend } from "@tidemark/state";
import type { TidemarkDatabase } from "../../../src/database/tidemark-database.js";
import {
  type ApiAnswer,
  type ApiBody,
  type ApiHarness,
  type DatabaseKind,
  type HarnessDatabase,
  harnessDatabase,
  startApiHarness,
} from "../../api/support/api-harness.js";

/** The bearer token every REST harness accepts. */
export const TEST_TOKEN = "rest-test-token-0123456789";

/** An answer of the Core REST API, with its headers. */
export interface RestAnswer extends ApiAnswer {
  readonly headers: Headers;
}

/** A running api-server with helpers for the Core REST API. */
export interface RestHarness {
  readonly api: ApiHarness;
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  /**
   * Calls `/api/v2{path}` with the test token (or `token`, or none with null).
   *
   * @param query - query parameters (undefined members are left out).
   */
  rest(
    method: string,
    path: string,
    options?: {
      token?: string | null;
      body?: unknown;
      rawBody?: string;
      query?: Record<string, string | number | boolean | undefined>;
      headers?: Record<string, string>;
    },
  ): Promise<RestAnswer>;
  close(): Promise<void>;
}

export type { DatabaseKind } from "../../api/support/api-harness.js";

/** Options of {@link startRestHarness}. */
export interface RestHarnessOptions {
  readonly database?: DatabaseKind;
  /** Configuration over the defaults (api.auth_tokens = [TEST_TOKEN]). */
  readonly config?: RawConfig;
  readonly backend?: BaseStoreBackend;
  /** Builds the server backend on the harness's database (instead of `backend`). */
  readonly backendFor?: (database: TidemarkDatabase) => BaseStoreBackend;
}

/** The path of a task instance's state collection. */
export function taskStatePath(dagId: string, runId: string, taskId: string, key?: string): string {
  const base = `/dags/${encodeURIComponent(dagId)}/dagRuns/${encodeURIComponent(runId)}/taskInstances/${encodeURIComponent(taskId)}/state-store`;
  return key === undefined ? base : `${base}/${encodeURIComponent(key)}`;
}

/** The path of an asset's state collection. */
export function assetStatePath(assetId: number, key?: string): string {
  return key === undefined
    ? `/assets/${assetId}/state-store`
    : `/assets/${assetId}/state-store/${encodeURIComponent(key)}`;
}

/**
 * Starts a real api-server in-process on 127.0.0.1 port 0 (the execution engineer's harness) on a temp
 * SQLite file or a fresh Postgres schema or MySQL database, with api.auth_tokens = [TEST_TOKEN].
 */
export async function startRestHarness(options: RestHarnessOptions = {}): Promise<RestHarness> {
  const chosen = await harnessDatabase(options.database ?? "sqlite");
  const schema: HarnessDatabase | undefined = chosen === "sqlite" ? undefined : chosen;
  const config: RawConfig = {
    ...options.config,
    api: { auth_tokens: [TEST_TOKEN], ...(options.config?.api as Record<string, unknown> | undefined) },
  };
  const api = await startApiHarness({
    config,
    ...(schema === undefined ? {} : { database: schema }),
    ...(options.backend === undefined ? {} : { backend: options.backend }),
    ...(options.backendFor === undefined ? {} : { backendFor: options.backendFor }),
  });
  const origin = api.baseUrl.replace(/\/execution$/, "");
  return {
    api,
    origin,
    async rest(method, path, o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      const token = o.token === undefined ? TEST_TOKEN : o.token;
      if (token !== null) headers.authorization = `Bearer ${token}`;
      let body: string | undefined;
      if (o.rawBody !== undefined) body = o.rawBody;
      else if (o.body !== undefined) body = JSON.stringify(o.body);
      if (body !== undefined) headers["content-type"] = "application/json";
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) params.set(k, String(v));
      const qs = params.toString();
      const response = await fetch(`${origin}/api/v2${path}${qs === "" ? "" : `?${qs}`}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
      });
      const text = await response.text();
      let parsed: ApiBody | undefined;
      try {
        parsed = text === "" ? undefined : (JSON.parse(text) as ApiBody);
      } catch {
        parsed = undefined;
      }
      return { status: response.status, body: parsed, text, headers: response.headers };
    },
    async close() {
      await api.close();
      await schema?.dispose();
    },
  };
}

/**
 * The array member of a listing answer, failing the test with the answer's text when it is not one.
 *
 * @param answer - a listing answer.
 * @param member - for example `task_state_store`.
 */
export function itemsOf<T = Record<string, unknown>>(
  answer: { body?: ApiBody | undefined; text?: string },
  member: string,
): T[] {
  const items = answer.body?.[member];
  if (!Array.isArray(items))
    throw new Error(`expected an array ${member}, got ${answer.text ?? JSON.stringify(answer.body)}`);
  return items as T[];
}

/**
 * The message of a Core REST API error answer, failing the test unless the status is `status`, the
 * `Tidemark-Error-Code` header is `code` and the body is exactly Airflow's `{"detail": "<message>"}`.
 *
 * @param answer - the answer.
 * @param status - the expected HTTP status.
 * @param code - the expected error code.
 * @returns the message.
 */
export function restErrorOf(answer: RestAnswer, status: number, code: string): string {
  const body = answer.body as Record<string, unknown> | undefined;
  const detail = body?.detail;
  const keys = body === undefined ? [] : Object.keys(body);
  if (
    answer.status !== status ||
    answer.headers.get("tidemark-error-code") !== code ||
    typeof detail !== "string" ||
    keys.length !== 1
  ) {
    throw new Error(
      `expected ${status} ${code}, got ${answer.status} ${answer.headers.get("tidemark-error-code")} ${answer.text}`,
    );
  }
  return detail;
}
