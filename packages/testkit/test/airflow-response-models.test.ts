import { describe, expect, it } from "vitest";
import { airflowResponseViolations } from "../src/airflow-wire/airflow-response-models.js";

const TI = "http://127.0.0.1:8080/execution/store/ti/0f8e1c1a-6b1e-4c51-9d63-3f0b8f3c2a10";
const TASK = "http://127.0.0.1:8080/api/v2/dags/d/dagRuns/r/taskInstances/t/state-store";
const ASSET = "http://127.0.0.1:8080/api/v2/assets/7/state-store";

function check(method: string, url: string, status: number, body?: unknown): string[] {
  return airflowResponseViolations({
    method,
    url,
    status,
    bodyText: body === undefined ? "" : JSON.stringify(body),
  });
}

describe("airflowResponseViolations: Execution API", () => {
  it("accepts exactly {value} on GET and nothing on PUT and DELETE", () => {
    expect(check("GET", `${TI}/job/id`, 200, { value: { rows: 3 } })).toEqual([]);
    expect(check("PUT", `${TI}/job`, 204)).toEqual([]);
    expect(check("DELETE", `${TI}/job`, 204)).toEqual([]);
    expect(check("DELETE", TI, 204)).toEqual([]);
    const byName = "http://h/execution/store/asset/by-name/value?name=a&key=wm";
    expect(check("GET", byName, 200, { value: "2026-01-01" })).toEqual([]);
    expect(check("DELETE", "http://h/execution/store/asset/by-uri/clear?uri=s3%3A%2F%2Fb", 204)).toEqual([]);
  });

  it("names an extra field, a missing value, a body on 204 and another success status", () => {
    expect(check("GET", `${TI}/job`, 200, { value: 1, version: 2 })).toEqual([
      `GET /execution/store/ti/0f8e1c1a-6b1e-4c51-9d63-3f0b8f3c2a10/job → 200: $.version is not a field of Airflow's model`,
    ]);
    expect(check("GET", `${TI}/job`, 200, {})).toEqual([expect.stringContaining("$.value is missing")]);
    expect(check("PUT", `${TI}/job`, 204, { ok: true })).toEqual([
      expect.stringContaining("Airflow sends no body with this answer"),
    ]);
    expect(check("PUT", `${TI}/job`, 200, { value: 1 })).toEqual([
      expect.stringContaining("Airflow answers 204 on this route"),
    ]);
  });

  it("wants errors as {detail: {reason, message}} and allows more members inside detail", () => {
    const detail = { reason: "not_found", message: "Task state store key 'k' not found", code: "NOT_FOUND" };
    expect(check("GET", `${TI}/k`, 404, { detail })).toEqual([]);
    expect(check("PUT", `${TI}/k`, 422, { detail: [{ loc: ["body", "value"], msg: "x" }] })).toEqual([]);
    expect(check("GET", `${TI}/k`, 404, { detail: "not found" })).toEqual([
      expect.stringContaining("$.detail must be an object with reason and message, got a string"),
    ]);
    expect(check("GET", `${TI}/k`, 404, { detail, request_id: "x" })).toEqual([
      expect.stringContaining("$.request_id is not a field of Airflow's model"),
    ]);
  });
});

describe("airflowResponseViolations: Core REST API", () => {
  const entry = { key: "k", value: [1], updated_at: "2026-01-01T00:00:00Z", expires_at: null };

  it("accepts Airflow's task entry, collection, 204 writes and PATCH's null body", () => {
    expect(check("GET", `${TASK}/k`, 200, entry)).toEqual([]);
    expect(check("GET", `${TASK}?limit=2`, 200, { task_state_store: [entry], total_entries: 3 })).toEqual([]);
    expect(check("PUT", `${TASK}/a/b`, 204)).toEqual([]);
    expect(check("PATCH", `${TASK}/k`, 200, null)).toEqual([]);
    expect(check("DELETE", TASK, 204)).toEqual([]);
  });

  it("refuses Tidemark's extra fields unless the client asked for them with include", () => {
    const extended = { ...entry, version: 3, is_reference: false };
    expect(check("GET", `${TASK}/k`, 200, extended)).toEqual([
      expect.stringContaining("$.version is not a field of Airflow's model"),
      expect.stringContaining("$.is_reference is not a field of Airflow's model"),
    ]);
    expect(check("GET", `${TASK}/k?include=version,reference`, 200, extended)).toEqual([]);
    const represented = { method: "PUT", url: `${TASK}/k`, status: 200, bodyText: JSON.stringify(entry) };
    expect(airflowResponseViolations({ ...represented, prefer: "return=representation" })).toEqual([]);
    expect(airflowResponseViolations(represented)).toEqual([expect.stringContaining("Airflow answers 204")]);
    expect(check("GET", TASK, 200, { task_state_store: [extended], total_entries: 1 })).toEqual([
      expect.stringContaining("$.task_state_store[0].version is not a field of Airflow's model"),
      expect.stringContaining("$.task_state_store[0].is_reference"),
    ]);
    expect(check("PUT", `${TASK}/k`, 200, entry)).toEqual([expect.stringContaining("Airflow answers 204")]);
    expect(check("PATCH", `${TASK}/k`, 200, entry)).toEqual([
      expect.stringContaining("the body must be null, got an object"),
    ]);
  });

  it("checks asset entries with their last writer and date-times", () => {
    const writer = { kind: "task", dag_id: "d", run_id: "r", task_id: "t", map_index: -1 };
    const asset = { key: "wm", value: "x", updated_at: "2026-01-01T00:00:00Z", last_updated_by: writer };
    expect(check("GET", `${ASSET}/wm`, 200, asset)).toEqual([]);
    expect(check("GET", ASSET, 200, { asset_state_store: [asset], total_entries: 1 })).toEqual([]);
    expect(check("GET", `${ASSET}/wm`, 200, { ...asset, last_updated_by: { kind: "api" } })).toEqual([]);
    expect(
      check("GET", `${ASSET}/wm`, 200, { ...asset, last_updated_by: { kind: "cli", token: "ci" } }),
    ).toEqual([
      expect.stringContaining(`$.last_updated_by.kind must be one of task, watcher, api, got "cli"`),
      expect.stringContaining("$.last_updated_by.token is not a field of Airflow's model"),
    ]);
    expect(check("GET", `${ASSET}/wm`, 200, { ...asset, updated_at: "yesterday" })).toEqual([
      expect.stringContaining("$.updated_at must be an ISO-8601 date-time string"),
    ]);
  });

  it("wants Core API errors as {detail: string}", () => {
    expect(check("GET", `${TASK}/k`, 404, { detail: "Task state store key 'k' not found" })).toEqual([]);
    expect(check("GET", `${TASK}/k`, 404, { detail: { reason: "not_found", message: "m" } })).toEqual([
      expect.stringContaining("$.detail must be a string, got an object"),
    ]);
    expect(
      airflowResponseViolations({ method: "GET", url: `${TASK}/k`, status: 500, bodyText: "oops" }),
    ).toEqual([expect.stringContaining("the error body is not JSON")]);
  });

  it("ignores routes that are not Airflow's state store routes", () => {
    expect(check("GET", "http://h/api/v2/dags", 200, { dags: [], extra: 1 })).toEqual([]);
    expect(check("GET", "http://h/execution/task-instances/x", 200, { id: "x" })).toEqual([]);
    expect(check("GET", "http://h/execution/tidemark/extensions", 200, { extensions: [] })).toEqual([]);
  });
});
