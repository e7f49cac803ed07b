import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  type AssetScope,
  assetIdentity,
  BaseStoreBackend,
  type CleanupOptions,
  type CleanupReport,
  type ClearOptions,
  compareKeys,
  decodeValue,
  defineStoreBackend,
  defineWorkerBackend,
  type JsonValue,
  type ListOptions,
  type ListResult,
  NO_REGION_ID,
  type SerializeToRefArgs,
  type SetOptions,
  StateStoreError,
  type StoreEntry,
  type StoreScope,
  type TaskScope,
  type WorkerStoreBackend,
} from "@tidemark/state";

/** Options of {@link JsonFileBackend}: the `json_file` configuration section, camelCased. */
export interface JsonFileBackendOptions {
  /** The directory holding one JSON file per scope. */
  readonly directory: string;
  /** Worker side: values whose JSON text is shorter than this many bytes stay inline. Default 0. */
  readonly threshold?: number;
}

type Row = { value: string; updatedAt: string; expiresAt: string | null };
const REF = "json-file:";
const hash = (parts: unknown[]) => createHash("sha256").update(JSON.stringify(parts)).digest("hex");

/**
 * A small backend for both roles: server state in one JSON file per scope, offloaded worker values in
 * one file per key. `delete` and `clear` remove a key's row and its object, which serves both contracts
 * (on a worker the rows are empty; on a server the objects are). Synchronous file access keeps each
 * operation whole within the process; the state store core has validated every key, value and option
 * before a method is called.
 */
export class JsonFileBackend extends BaseStoreBackend implements WorkerStoreBackend {
  override readonly capabilities = Object.freeze({ expiry: true, compareAndSet: false, listKeys: true });
  readonly workerCapabilities = Object.freeze({ taskState: true, assetState: true });
  readonly #dir: string;
  readonly #threshold: number;

  constructor(options: JsonFileBackendOptions) {
    super();
    this.#dir = options.directory;
    this.#threshold = options.threshold ?? 0;
  }

  /** The scope's directory (a task's map indices share one, so allMapIndices removes it) and file. */
  #place(root: "state" | "objects", scope: StoreScope): { dir: string; file: string } {
    if (scope.kind === "asset") {
      const { by, value } = assetIdentity(scope);
      return { dir: join(this.#dir, root, "assets"), file: `${hash([by, value])}` };
    }
    const task = hash([scope.dagId, scope.runId, scope.taskId, scope.regionId ?? NO_REGION_ID]);
    return { dir: join(this.#dir, root, "tasks", task), file: String(scope.mapIndex) };
  }
  #read(scope: StoreScope): Record<string, Row> {
    const { dir, file } = this.#place("state", scope);
    const path = join(dir, `${file}.json`);
    return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as Record<string, Row>) : {};
  }
  #write(scope: StoreScope, rows: Record<string, Row>): void {
    const { dir, file } = this.#place("state", scope);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${file}.json`), JSON.stringify(rows));
  }
  #entry(scope: StoreScope, key: string, row: Row | undefined): StoreEntry | null {
    if (row === undefined) return null;
    const expiresAt = scope.kind === "task" && row.expiresAt !== null ? new Date(row.expiresAt) : null;
    if (expiresAt !== null && expiresAt.getTime() <= Date.now()) return null;
    return { key, value: row.value, version: null, updatedAt: new Date(row.updatedAt), expiresAt };
  }

  override async get(scope: StoreScope, key: string): Promise<string | null> {
    return (await this.getEntry(scope, key))?.value ?? null;
  }
  override async getEntry(scope: StoreScope, key: string): Promise<StoreEntry | null> {
    return this.#entry(scope, key, this.#read(scope)[key]);
  }
  override async set(scope: StoreScope, key: string, value: string, options: SetOptions = {}): Promise<void> {
    this.assertSetOptionsSupported(options);
    const expiresAt = scope.kind === "task" && options.expiresAt instanceof Date ? options.expiresAt : null;
    const rows = this.#read(scope);
    rows[key] = { value, updatedAt: new Date().toISOString(), expiresAt: expiresAt?.toISOString() ?? null };
    this.#write(scope, rows);
  }
  override async delete(scope: StoreScope, key: string): Promise<void> {
    const rows = this.#read(scope);
    if (key in rows) {
      delete rows[key];
      this.#write(scope, rows);
    }
    rmSync(join(this.#dir, this.#objectPath(scope, key)), { force: true });
  }
  override async clear(scope: StoreScope, options: ClearOptions = {}): Promise<void> {
    this.#clear("state", scope, options);
    this.#clear("objects", scope, options);
  }
  #clear(root: "state" | "objects", scope: StoreScope, options: ClearOptions): void {
    const { dir, file } = this.#place(root, scope);
    const all = scope.kind === "task" && options.allMapIndices === true;
    rmSync(all ? dir : join(dir, root === "state" ? `${file}.json` : file), { recursive: true, force: true });
  }
  override async list(scope: StoreScope, options: ListOptions = {}): Promise<ListResult> {
    const rows = this.#read(scope);
    const live = Object.keys(rows)
      .filter((k) => k.startsWith(options.prefix ?? "") && this.#entry(scope, k, rows[k]) !== null)
      .sort(compareKeys);
    const cursor = options.cursor;
    const start =
      cursor === undefined ? (options.offset ?? 0) : live.filter((k) => compareKeys(k, cursor) <= 0).length;
    const page = live.slice(start, start + (options.limit ?? 100));
    const more = page.length > 0 && start + page.length < live.length;
    return {
      entries: page.map((k) => this.#entry(scope, k, rows[k]) as StoreEntry),
      total: live.length,
      nextCursor: more ? (page.at(-1) ?? null) : null,
    };
  }

  /** Deletes expired task state: the core filters it anyway, this reclaims the space. */
  override async cleanup(options: CleanupOptions = {}): Promise<CleanupReport> {
    const started = Date.now();
    const root = join(this.#dir, "state", "tasks");
    let deleted = 0;
    const files = existsSync(root) ? readdirSync(root, { recursive: true, encoding: "utf8" }) : [];
    for (const file of files.filter((f) => f.endsWith(".json")).map((f) => join(root, f))) {
      const rows = JSON.parse(readFileSync(file, "utf8")) as Record<string, Row>;
      const expired = Object.keys(rows).filter((k) => {
        const at = rows[k]?.expiresAt;
        return at != null && Date.parse(at) <= Date.now();
      });
      for (const key of expired) delete rows[key];
      if (expired.length > 0 && !options.dryRun) writeFileSync(file, JSON.stringify(rows));
      deleted += expired.length;
    }
    return { dryRun: options.dryRun ?? false, deleted: { keys: deleted }, durationMs: Date.now() - started };
  }

  /** Worker side: the deterministic file of (scope, key), relative to the directory. */
  #objectPath(scope: StoreScope, key: string): string {
    const { dir, file } = this.#place("objects", scope);
    return join(dir, file, `${hash([key])}.json`).slice(this.#dir.length + 1);
  }
  async #offload(args: SerializeToRefArgs<StoreScope>): Promise<string | null> {
    if (Buffer.byteLength(args.text) < this.#threshold) return null;
    const path = this.#objectPath(args.scope, args.key);
    mkdirSync(join(this.#dir, path, ".."), { recursive: true });
    writeFileSync(join(this.#dir, path), args.text);
    return `${REF}${path}`;
  }
  async #resolve(ref: string): Promise<JsonValue> {
    const path = ref.slice(REF.length);
    if (!ref.startsWith(REF) || !/^objects\/[\w/.-]+\.json$/.test(path) || path.includes("..")) {
      throw new StateStoreError("INVALID_VALUE", `${JSON.stringify(ref)} is not a reference of this backend`);
    }
    const file = join(this.#dir, path);
    if (!existsSync(file))
      throw new StateStoreError("NOT_FOUND", `the object of ${JSON.stringify(ref)} is gone`);
    return decodeValue(readFileSync(file, "utf8"));
  }
  serializeTaskStateStoreToRef(args: SerializeToRefArgs<TaskScope>): Promise<string | null> {
    return this.#offload(args);
  }
  serializeAssetStateStoreToRef(args: SerializeToRefArgs<AssetScope>): Promise<string | null> {
    return this.#offload(args);
  }
  deserializeTaskStateStoreFromRef(ref: string): Promise<JsonValue> {
    return this.#resolve(ref);
  }
  deserializeAssetStateStoreFromRef(ref: string): Promise<JsonValue> {
    return this.#resolve(ref);
  }
}

const parseConfig = (section: Readonly<Record<string, unknown>>): JsonFileBackendOptions => {
  if (typeof section.directory !== "string" || section.directory === "") {
    throw new StateStoreError("CONFIG_ERROR", "json_file.directory must name a directory", {
      details: { option: "json_file.directory" },
    });
  }
  const threshold = section.threshold ?? 0;
  if (typeof threshold !== "number" || !Number.isSafeInteger(threshold) || threshold < 0) {
    throw new StateStoreError("CONFIG_ERROR", "json_file.threshold must be an integer >= 0", {
      details: { option: "json_file.threshold" },
    });
  }
  return { directory: section.directory, threshold };
};

/** `state_store.backend = "<module>#jsonFileStoreBackend"`, configured by the `[json_file]` section. */
export const jsonFileStoreBackend = defineStoreBackend({
  name: "json_file",
  configSection: "json_file",
  parseConfig,
  create: (options) => new JsonFileBackend(options),
});

/** `workers.state_store_backend = "<module>#jsonFileWorkerBackend"`, the same section. */
export const jsonFileWorkerBackend = defineWorkerBackend({
  name: "json_file",
  configSection: "json_file",
  parseConfig,
  create: (options) => new JsonFileBackend(options),
});
