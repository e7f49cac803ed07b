import { randomUUID } from "node:crypto";
import { type AssetScope, assetScope, type TaskScope, taskScope } from "@tidemark/state";
import { expect } from "vitest";
import { MetastoreBackend, type TaskInstanceRecord } from "../../../src/index.js";
import type { ApiAnswer, ApiHarness } from "../support/api-harness.js";

/** The Execution API version a request without `Airflow-API-Version` is served with. */
export const NEWEST_VERSION = "2026-11-13";

/** Airflow's error body, with Tidemark's code beside `reason` and `message`. */
export function detail(reason: string, message: unknown, code: string) {
  return { detail: { reason, message, code } };
}

/** Asserts an answer's status, exact JSON body, the echoed version and, on errors, the code header. */
export function expectAnswer(answer: ApiAnswer, status: number, body?: unknown): void {
  expect({ status: answer.status, body: answer.body }).toEqual({ status, body });
  expect(answer.headers.get("airflow-api-version")).toBe(NEWEST_VERSION);
  const code = (answer.body?.detail as { code?: string } | undefined)?.code;
  if (status >= 400) expect(answer.headers.get("tidemark-error-code")).toBe(code);
}

/** The task scope of a task instance (another map index when given). */
export function scopeOf(ti: TaskInstanceRecord, mapIndex = ti.mapIndex): TaskScope {
  return taskScope({ dagId: ti.dagId, runId: ti.runId, taskId: ti.taskId, mapIndex });
}

/** The asset scope of an asset by name. */
export function assetByName(name: string): AssetScope {
  return assetScope({ name });
}

/** A MetastoreBackend on the harness's database, to seed and inspect rows as Airflow's tests do. */
export function rowsOf(h: ApiHarness): MetastoreBackend {
  return new MetastoreBackend({ database: h.database });
}

/** A task instance id that exists nowhere, as Airflow's tests use `uuid4()`. */
export function unknownTaskInstanceId(): string {
  return randomUUID();
}
