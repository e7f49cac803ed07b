import type { JsonObject, JsonValue } from "@tidemark/state";
import type { Role } from "../report/result-types.js";

/**
 * One key-value store under test, as an application uses it: it takes a JSON object, serializes it,
 * stores it, and reads it back parsed. Every subject does the same work around its store, so the
 * comparison measures the stores.
 */
export interface KvSubject {
  /** For the tables, for example `MetastoreBackend`, `better-sqlite3 (raw)`, `Keyv + @keyv/sqlite`. */
  readonly name: string;
  readonly role: Role;
  set(key: string, value: JsonObject): Promise<void>;
  /** The value, or undefined when the key is missing. */
  get(key: string): Promise<JsonValue | undefined>;
  close(): Promise<void>;
}

/** The dag run and task every backend subject writes to. */
export const BENCH_SCOPE = Object.freeze({
  dagId: "bench_dag",
  runId: "bench_run",
  taskId: "bench_task",
  mapIndex: -1,
});
