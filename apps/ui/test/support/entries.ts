import type { AssetStateEntry, StateEntry } from "../../src/api/wire-types";

const DAY = 24 * 3600 * 1000;

/** A plain task state entry, updated an hour ago, expiring in 3 days unless overridden. */
export function entry(overrides: Partial<StateEntry> = {}): StateEntry {
  const now = Date.now();
  return {
    key: "watermark",
    value: { offset: 42 },
    version: 3,
    updated_at: new Date(now - 3600 * 1000).toISOString(),
    expires_at: new Date(now + 3 * DAY + 60_000).toISOString(),
    is_reference: false,
    ...overrides,
  };
}

/** An offloaded entry: the stored value is the reference envelope. */
export function referenceEntry(ref: string, overrides: Partial<StateEntry> = {}): StateEntry {
  return entry({
    key: "big_blob",
    value: { __airflow_state_ref__: ref },
    is_reference: true,
    ref,
    ...overrides,
  });
}

/** An asset state entry. */
export function assetEntry(overrides: Partial<AssetStateEntry> = {}): AssetStateEntry {
  return {
    ...entry({ key: "watermark", value: "2026-03-01T00:00:00Z", expires_at: null }),
    last_updated_by: { kind: "task", dag_id: "etl", run_id: "r1", task_id: "load", map_index: -1 },
    ...overrides,
  };
}

/**
 * A task state entry as the server answers it for a request's `?include=`: Airflow's
 * `{key, value, updated_at, expires_at}` plus only the extras asked for.
 *
 * @param e - the entry.
 * @param query - the request's query.
 * @returns the wire body.
 */
export function taskWire(e: StateEntry, query: URLSearchParams): Record<string, unknown> {
  return {
    key: e.key,
    value: e.value,
    updated_at: e.updated_at,
    expires_at: e.expires_at,
    ...extras(e, query),
  };
}

/**
 * An asset state entry as the server answers it for a request's `?include=`: Airflow's
 * `{key, value, updated_at, last_updated_by}` plus only the extras asked for.
 *
 * @param e - the entry.
 * @param query - the request's query.
 * @returns the wire body.
 */
export function assetWire(e: AssetStateEntry, query: URLSearchParams): Record<string, unknown> {
  return {
    key: e.key,
    value: e.value,
    updated_at: e.updated_at,
    last_updated_by: e.last_updated_by,
    ...extras(e, query),
  };
}

function extras(e: StateEntry, query: URLSearchParams): Record<string, unknown> {
  const include = new Set((query.get("include") ?? "").split(","));
  return {
    ...(include.has("version") ? { version: e.version } : {}),
    ...(include.has("reference")
      ? { is_reference: e.is_reference, ...(e.ref !== undefined ? { ref: e.ref } : {}) }
      : {}),
  };
}
