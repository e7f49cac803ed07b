import {
  assertWithinSizeLimit,
  DEFAULT_MAX_VALUE_STORAGE_BYTES,
  decodeValue,
  encodeValue,
  utf8ByteLength,
} from "./encode-value.js";
import { notSupported, orphanedAfterDatabase } from "./errors/backend-errors.js";
import {
  type ConditionSpec,
  type ConditionStyle,
  conditionFailed,
  invalidCondition,
} from "./errors/condition-errors.js";
import {
  keyNotFound,
  notAReferenceEnvelope,
  reservedReferenceMember,
  writtenThenDeleted,
} from "./errors/key-errors.js";
import { conditionalValueTooLarge, danglingReference, invalidReference } from "./errors/value-errors.js";
import { type ExpiresAtInput, isExpired, resolveExpiresAt } from "./expiry.js";
import type { JsonValue } from "./json-value.js";
import { compareKeys } from "./key-order.js";
import { checkPage, MAX_PAGE_LIMIT } from "./page-request.js";
import { type AssetScope, describeScope, type StoreScope } from "./scope.js";
import { STATE_REF_KEY, unwrapStateRef, wrapStateRef } from "./state-ref.js";
import { isStateStoreError, StateStoreError } from "./state-store-error.js";
import type { StateStoreInstrumentation, StateStoreOperationInfo } from "./state-store-instrumentation.js";
import type {
  BaseStoreBackend,
  CleanupOptions,
  CleanupReport,
  ClearOptions,
  SetOptions,
  StoreBackendCapabilities,
  StoreEntry,
} from "./store-backend.js";
import { validateKey } from "./validate-key.js";
import type { WorkerStoreBackend } from "./worker-backend.js";
import type { AssetStateStoreWriter } from "./writer-kind.js";

/**
 * Which side of the deployment a state store serves:
 * - `server`: the API servers and the CLI; values pass through as stored (a reference envelope is shown,
 *   with its `reference`);
 * - `worker`: task code; values are offloaded through the worker backend and references resolved again.
 */
export type StateStoreSide = "server" | "worker";

/** The settings of {@link createStateStore}; the `state_store` options, camelCased. */
export interface StateStoreSettings {
  /** `state_store.max_value_storage_bytes`: largest value, in UTF-8 bytes of JSON; 0 = no limit. */
  readonly maxValueStorageBytes?: number;
  /**
   * `state_store.default_retention_days`, applied to `expiresAt: "default"`; 0 = never. Undefined: unknown
   * here, so `"default"` is passed to a backend declaring `capabilities.defaultExpiry`.
   */
  readonly defaultRetentionDays?: number;
  /** Default `server`. */
  readonly side?: StateStoreSide;
  /** `workers.state_store_backend` (worker side only); null or absent keeps values inline. */
  readonly workerBackend?: WorkerStoreBackend | null;
  /**
   * Whether callers may write values holding the reserved member `__airflow_state_ref__`: `accept` where
   * workers write envelopes (the Execution API), `refuse` where operators write (default): only an
   * import's sealed reference passes there, with `restoreReference`.
   */
  readonly references?: "accept" | "refuse";
  /** Refuse an `expiresAt` that is not in the future (operator paths). Default false. */
  readonly requireFutureExpiry?: boolean;
  /** The field an `expiresAt` error names, for example `body.expires_at`. Default `expires_at`. */
  readonly expiresAtField?: string;
  /** The assets whose orphaned state {@link StateStore.cleanup} removes (the metastore knows them). */
  readonly inactiveAssets?: () => Promise<readonly AssetScope[]>;
  /** Where warnings go (a malformed envelope on the worker side). Default nowhere. */
  readonly onWarning?: (message: string, details: Readonly<Record<string, unknown>>) => void;
  /** The clock deciding expiry and the default retention. Default `() => new Date()`. */
  readonly now?: () => Date;
  /** Hooks around every operation and written value, for metrics and traces. Default none. */
  readonly instrumentation?: StateStoreInstrumentation;
}

/** One live key as the state store returns it. */
export interface StateEntry {
  /** The key. */
  readonly key: string;
  /** The value: on the worker side with a reference resolved; on the server side as stored. */
  readonly value: JsonValue;
  /** The stored JSON text (for an offloaded value: the envelope). */
  readonly text: string;
  /** The reference when the stored value is an envelope, else null. */
  readonly reference: string | null;
  /** Incremented by every write from 1; null where the backend keeps no versions. */
  readonly version: number | null;
  /** When the key was last written (UTC); null where unknown. */
  readonly updatedAt: Date | null;
  /** When the key expires (UTC); null for never (always null for asset state). */
  readonly expiresAt: Date | null;
  /** The last writer of asset state, on backends with `writerTracking`. */
  readonly lastUpdatedBy?: AssetStateStoreWriter | null;
}

/** A condition of a write or delete; at most one of its members. */
export interface WriteCondition {
  /** Only if the live value is at this version (from `getEntry`). */
  readonly ifVersion?: number;
  /** Only if no live value exists. */
  readonly ifAbsent?: boolean;
  /** HTTP `If-Match`: only if the live value is at one of these versions, or exists at all (`*`). */
  readonly ifMatch?: readonly number[] | "*";
  /**
   * How the caller stated the condition: `options` (default; a failure is `CONFLICT`) or `http` headers
   * (a failure is `PRECONDITION_FAILED` and the message speaks of `If-Match` / `If-None-Match`).
   */
  readonly conditionStyle?: ConditionStyle;
}

/** Options of {@link StateStore.set}, {@link StateStore.put} and {@link StateStore.replace}. */
export interface StateWriteOptions extends WriteCondition {
  /** Task state only: when the key expires; absent or null never. Ignored for asset state. */
  readonly expiresAt?: ExpiresAtInput;
  /** Asset state only: who writes, recorded by backends with `writerTracking`. */
  readonly writer?: AssetStateStoreWriter;
  /** The value is a reference envelope whose seal the caller verified (a restore of an export). */
  readonly restoreReference?: boolean;
}

/** What a write produced: the new version when the core knows it (conditional writes), else null. */
export interface WriteResult {
  /** The version the write produced (from 1); null after an unconditional write. */
  readonly version: number | null;
}

/** Options of {@link StateStore.list}. */
export interface StateListOptions {
  /** Only keys starting with this text, matched literally. */
  readonly prefix?: string;
  /** Most entries, 0 to 1,000; default 100. */
  readonly limit?: number;
  /** Entries to skip; default 0. Ignored with `cursor`. */
  readonly offset?: number;
  /** The `nextCursor` of the previous page. */
  readonly cursor?: string;
}

/** A page of live entries in key order. */
export interface StatePage {
  /** The live entries of this page, at most `limit`. */
  readonly entries: StateEntry[];
  /** Live keys matching in all, when the backend counts. */
  readonly total?: number;
  /** The cursor of the next page; null when this is the last. */
  readonly nextCursor: string | null;
}

/**
 * The one object every path to state goes through: the Execution API, the Core REST API, the CLI and the
 * task SDK's worker side. It owns the rules, so backends only store:
 *
 * - keys are checked with `validateKey` and values with `encodeValue` (the JSON path in errors) at
 *   `maxValueStorageBytes`;
 * - an option the backend does not declare in its capabilities is `NOT_SUPPORTED` before the backend is
 *   called;
 * - an expired entry is never returned, whatever the backend does; asset state never expires;
 * - compare-and-set: `ifVersion`, `ifAbsent` and HTTP's `If-Match` lists are enforced atomically by the
 *   backend's `ifVersion` / `ifAbsent`, and a failure is worded once;
 * - on the worker side, values are offloaded through the worker backend into
 *   `{"__airflow_state_ref__": ref}` and resolved again; deletes and clears remove the database reference
 *   first, then the object (reference: "cleanup the DB ref first").
 */
export interface StateStore {
  /** The backend state is kept in. */
  readonly backend: BaseStoreBackend;
  /** The backend's capabilities. */
  readonly capabilities: StoreBackendCapabilities;
  /** The worker backend, or null. */
  readonly workerBackend: WorkerStoreBackend | null;
  /**
   * Reads a key's value.
   *
   * @returns the value, or null when the key is missing or expired.
   * @throws StateStoreError `INVALID_KEY`; `CONFIG_ERROR` for a reference without a worker backend (worker
   *   side); the backend's and worker backend's errors.
   */
  get(scope: StoreScope, key: string): Promise<JsonValue | null>;
  /** Reads a key with its metadata; null when missing or expired. @throws StateStoreError as {@link get}. */
  getEntry(scope: StoreScope, key: string): Promise<StateEntry | null>;
  /** As {@link getEntry}, but a missing key is `NOT_FOUND` in Airflow's wording. */
  require(scope: StoreScope, key: string): Promise<StateEntry>;
  /**
   * Writes a key.
   *
   * @returns the new version for a conditional write, else null (an unconditional write is one plain
   *   backend write, with no read).
   * @throws StateStoreError `INVALID_KEY`; `INVALID_VALUE` (a bad value, expiry or condition, or a reserved
   *   reference member); `VALUE_TOO_LARGE`; `NOT_SUPPORTED` for an option the backend lacks; `CONFLICT` /
   *   `PRECONDITION_FAILED` when the condition fails; `DAG_RUN_NOT_FOUND` / `ASSET_NOT_FOUND` from the
   *   backend; `BACKEND_UNAVAILABLE`.
   */
  set(scope: StoreScope, key: string, value: unknown, options?: StateWriteOptions): Promise<WriteResult>;
  /**
   * As {@link set}, then reads the entry back. The entry shows the value as stored: an offloaded value as
   * its envelope, with `reference` set (reading it back resolves nothing).
   *
   * @throws StateStoreError as {@link set}; `CONFLICT` when deleted meanwhile.
   */
  put(scope: StoreScope, key: string, value: unknown, options?: StateWriteOptions): Promise<StateEntry>;
  /**
   * Replaces the value of an existing key, keeping its `expiresAt` (a PATCH). Without a condition the
   * write is guarded by the version just read (on backends with compare-and-set), so a key deleted or
   * rewritten meanwhile is never resurrected; it retries a few times, then answers `CONFLICT`. A
   * condition is checked against the live entry and never retried. The entry shows the value as stored.
   *
   * @throws StateStoreError as {@link put}; `NOT_FOUND` when the key is missing or expired.
   */
  replace(scope: StoreScope, key: string, value: unknown, options?: StateWriteOptions): Promise<StateEntry>;
  /**
   * Deletes a key; a no-op when it does not exist. With a condition: `ifVersion` / `ifMatch` delete only
   * the live value at that version (one backend statement), `ifAbsent` succeeds only when there is none.
   *
   * @throws StateStoreError `INVALID_KEY`; `CONFLICT` / `PRECONDITION_FAILED`; `NOT_SUPPORTED`; on the
   *   worker side, after the reference is gone, the worker backend's failure (`details.databaseDone`).
   */
  delete(scope: StoreScope, key: string, condition?: WriteCondition): Promise<void>;
  /** Deletes every key of a scope, then (worker side) the worker backend's objects. */
  clear(scope: StoreScope, options?: ClearOptions): Promise<void>;
  /** Removes only the worker backend's objects of a scope (after the server cleared the rows). */
  clearWorkerBackend(scope: StoreScope, options?: ClearOptions): Promise<void>;
  /**
   * Lists live keys of a scope in key order, values as stored (references are not resolved). With
   * `cursor`, the page continues after the previous one and `offset` is ignored; `total` is the
   * backend's count less the expired entries the page dropped.
   *
   * @throws StateStoreError `NOT_SUPPORTED` without `capabilities.listKeys`; `INVALID_VALUE` for a bad page.
   */
  list(scope: StoreScope, options?: StateListOptions): Promise<StatePage>;
  /**
   * The number of live keys of a scope: the backend's count, or else a walk of its pages (which ends at
   * a page with no new key or a repeated cursor, so a backend ignoring cursors cannot loop it forever).
   *
   * @returns the count; 0 on a backend that cannot list.
   */
  countKeys(scope: StoreScope): Promise<number>;
  /** Garbage collection through the backend, with the inactive assets filled in. */
  cleanup(options?: CleanupOptions): Promise<CleanupReport>;
  /** Closes the backend and the worker backend. */
  close(): Promise<void>;
}

const REPLACE_ATTEMPTS = 5;

/** An encoded value: the text to store (an envelope when offloaded) and the value's own JSON text. */
interface Encoded {
  readonly stored: string;
  readonly text: string;
  readonly offloaded: boolean;
}

function labelOf(key: string): string {
  return `value of key ${JSON.stringify(key)}`;
}

function conditionOf(condition: WriteCondition): ConditionSpec | null {
  const { ifVersion, ifAbsent, ifMatch } = condition;
  if (ifVersion !== undefined && !isVersion(ifVersion)) {
    throw invalidCondition(
      "ifVersion",
      `ifVersion must be a positive integer (a version read with getEntry), got ${String(ifVersion)}`,
    );
  }
  if (
    ifMatch !== undefined &&
    ifMatch !== "*" &&
    (!Array.isArray(ifMatch) || ifMatch.length === 0 || !ifMatch.every(isVersion))
  ) {
    throw invalidCondition(
      "ifMatch",
      `ifMatch must be "*" or a non-empty list of positive integer versions, got ${JSON.stringify(ifMatch) ?? String(ifMatch)}`,
    );
  }
  if (ifVersion !== undefined && ifMatch !== undefined) {
    throw invalidCondition("ifMatch", "ifVersion and ifMatch exclude each other: give one of them");
  }
  if (ifAbsent !== undefined && typeof ifAbsent !== "boolean") {
    throw invalidCondition("ifAbsent", `ifAbsent must be true or false, got ${String(ifAbsent)}`);
  }
  if ((ifVersion !== undefined || ifMatch !== undefined) && ifAbsent === true) {
    throw invalidCondition(
      "ifAbsent",
      "ifVersion and ifAbsent exclude each other: use ifAbsent to create a key, ifVersion to update one",
    );
  }
  if (ifAbsent === true) return { kind: "absent" };
  if (ifMatch !== undefined) return { kind: "version", versions: ifMatch };
  if (ifVersion !== undefined) return { kind: "version", versions: [ifVersion] };
  return null;
}

function isVersion(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) >= 1;
}

/** The version a replace pins for a version condition, checked against the live entry it read. */
function versionToPin(key: string, spec: ConditionSpec, current: StoreEntry, style: ConditionStyle): number {
  const version = current.version;
  if (
    spec.kind === "absent" ||
    version === null ||
    (spec.versions !== "*" && !spec.versions.includes(version))
  ) {
    throw conditionFailed(key, spec, version, style);
  }
  return version;
}

function hasReservedMember(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.hasOwn(value, STATE_REF_KEY)
  );
}

/**
 * Builds the state store over a backend.
 *
 * @param backend - the server backend (`state_store.backend`), or on the worker side the backend that
 *   reaches the Execution API.
 * @param settings - the size limit, the default retention, the side, the worker backend, the clock.
 * @returns the state store.
 */
export function createStateStore(backend: BaseStoreBackend, settings: StateStoreSettings = {}): StateStore {
  const side = settings.side ?? "server";
  const workerBackend = settings.workerBackend ?? null;
  const maxBytes = settings.maxValueStorageBytes ?? DEFAULT_MAX_VALUE_STORAGE_BYTES;
  const now = settings.now ?? (() => new Date());
  const references = settings.references ?? "refuse";
  const capabilities = backend.capabilities;
  const instrumentation = settings.instrumentation;

  const requireCompareAndSet = (): void => {
    if (!capabilities.compareAndSet) {
      throw notSupported(
        backend.name,
        "compare-and-set (ifVersion / ifAbsent, If-Match / If-None-Match)",
        "send the write without a condition, or configure a server backend with compare-and-set (state_store.backend; the built-in MetastoreBackend has it)",
      );
    }
  };

  const live = (scope: StoreScope, entry: StoreEntry | null): StoreEntry | null => {
    if (entry === null) return null;
    return scope.kind === "task" && isExpired(entry.expiresAt, now()) ? null : entry;
  };

  const readLive = async (scope: StoreScope, key: string): Promise<StoreEntry | null> =>
    live(scope, await backend.getEntry(scope, key));

  const failure = async (scope: StoreScope, key: string, spec: ConditionSpec, style: ConditionStyle) => {
    const current = await readLive(scope, key);
    return conditionFailed(key, spec, current?.version ?? null, style);
  };

  const resolve = async (scope: StoreScope, key: string, stored: JsonValue, reference: string | null) => {
    if (side === "server") return stored;
    if (reference === null) {
      if (workerBackend !== null && hasReservedMember(stored)) {
        settings.onWarning?.(
          `state key ${JSON.stringify(key)} holds an object with "${STATE_REF_KEY}" that is not a valid reference envelope (it must be the only member and a non-empty string); returning it as stored`,
          { key, scope: describeScope(scope) },
        );
      }
      return stored;
    }
    if (workerBackend === null) throw danglingReference(scope, key, reference);
    return scope.kind === "task"
      ? workerBackend.deserializeTaskStateStoreFromRef(reference, { scope, key })
      : workerBackend.deserializeAssetStateStoreFromRef(reference, { scope: scope as AssetScope, key });
  };

  const toEntry = async (
    scope: StoreScope,
    entry: StoreEntry,
    resolveReference: boolean,
  ): Promise<StateEntry> => {
    const stored = decodeValue(entry.value);
    const reference = unwrapStateRef(stored) ?? null;
    const value = resolveReference ? await resolve(scope, entry.key, stored, reference) : stored;
    return {
      key: entry.key,
      value,
      text: entry.value,
      reference,
      version: entry.version,
      updatedAt: entry.updatedAt,
      expiresAt: scope.kind === "task" ? entry.expiresAt : null,
      ...(entry.lastUpdatedBy === undefined ? {} : { lastUpdatedBy: entry.lastUpdatedBy }),
    };
  };

  /** Validates and encodes a value into the text to store. */
  const encode = async (
    scope: StoreScope,
    key: string,
    value: unknown,
    options: StateWriteOptions,
    conditional: boolean,
  ): Promise<Encoded> => {
    const label = labelOf(key);
    if (options.restoreReference === true) {
      if (unwrapStateRef(value) === undefined) throw notAReferenceEnvelope(key);
    } else if (references === "refuse" && hasReservedMember(value)) {
      throw reservedReferenceMember(key, STATE_REF_KEY);
    }
    if (side === "server" || workerBackend === null) {
      const text = encodeValue(value, { maxBytes, label });
      // On the server a reference envelope is a value a worker offloaded; the envelope is all it stores.
      const offloaded = side === "server" && unwrapStateRef(value) !== undefined;
      return { stored: text, text, offloaded };
    }
    const text = encodeValue(value, { maxBytes: 0, label });
    if (conditional) {
      // A conditional value stays inline: the key's deterministic object would be overwritten before the
      // server checks the condition, and a losing writer would replace the winner's value.
      const size = maxBytes > 0 ? utf8ByteLength(text) : 0;
      if (maxBytes > 0 && size > maxBytes) throw conditionalValueTooLarge(key, size, maxBytes);
      return { stored: text, text, offloaded: false };
    }
    const args = { value: value as JsonValue, text, key };
    const ref =
      scope.kind === "task"
        ? await workerBackend.serializeTaskStateStoreToRef({ ...args, scope })
        : await workerBackend.serializeAssetStateStoreToRef({ ...args, scope });
    if (ref === null || ref === undefined) {
      assertWithinSizeLimit(text, maxBytes, label);
      return { stored: text, text, offloaded: false };
    }
    if (typeof ref !== "string" || ref.length === 0) throw invalidReference(workerBackend.name, key, ref);
    const envelope = JSON.stringify(wrapStateRef(ref));
    assertWithinSizeLimit(envelope, maxBytes, label);
    return { stored: envelope, text, offloaded: true };
  };

  /** Tells the instrumentation about a value once its write succeeded. */
  const reportWritten = (scope: StoreScope, encoded: Encoded): void => {
    const hook = instrumentation?.valueWritten;
    if (hook === undefined) return;
    hook.call(instrumentation, {
      scope: scope.kind,
      bytes: utf8ByteLength(encoded.text),
      offloaded: encoded.offloaded,
    });
  };

  const setOptionsOf = (scope: StoreScope, options: StateWriteOptions): SetOptions => {
    if (scope.kind !== "task") return options.writer === undefined ? {} : { writer: options.writer };
    const expiresAt = resolveExpiresAt(options.expiresAt, {
      defaultRetentionDays: settings.defaultRetentionDays,
      now: now(),
      ...(settings.requireFutureExpiry ? { requireFuture: true } : {}),
      ...(settings.expiresAtField === undefined ? {} : { field: settings.expiresAtField }),
    });
    if (expiresAt === "default" && !capabilities.defaultExpiry) {
      throw new StateStoreError(
        "CONFIG_ERROR",
        `expires_at "default" needs state_store.default_retention_days, which this state store was not given; pass defaultRetentionDays to createStateStore or send an explicit expiry`,
        { details: { option: "state_store.default_retention_days" } },
      );
    }
    if (expiresAt instanceof Date && !capabilities.expiry) {
      throw notSupported(
        backend.name,
        "expiry (expiresAt)",
        "write the key without an expiry, or configure a backend with expiry",
      );
    }
    return { expiresAt };
  };

  /**
   * Turns a condition into the backend condition that enforces it atomically: `ifAbsent`, or `ifVersion`
   * on the single version asked for, or (for a list or `*`) on the live version once it is checked.
   */
  const pin = async (
    scope: StoreScope,
    key: string,
    spec: ConditionSpec,
    style: ConditionStyle,
  ): Promise<{ ifAbsent: true } | { ifVersion: number }> => {
    // Only the member that applies: a backend may test `"ifVersion" in options`.
    if (spec.kind === "absent") return { ifAbsent: true };
    const versions = spec.versions;
    if (versions !== "*" && versions.length === 1) return { ifVersion: versions[0] as number };
    const current = await readLive(scope, key);
    if (
      current === null ||
      current.version === null ||
      (versions !== "*" && !versions.includes(current.version))
    ) {
      throw conditionFailed(key, spec, current?.version ?? null, style);
    }
    return { ifVersion: current.version };
  };

  const guarded = async <T>(
    scope: StoreScope,
    key: string,
    spec: ConditionSpec,
    style: ConditionStyle,
    run: () => Promise<T>,
  ): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (isStateStoreError(error, "CONFLICT")) {
        throw await failure(scope, key, spec, style);
      }
      throw error;
    }
  };

  const afterDatabase = async (what: string, action: () => Promise<void>): Promise<void> => {
    if (workerBackend === null) return;
    try {
      await action();
    } catch (cause) {
      throw orphanedAfterDatabase(workerBackend.name, what, cause);
    }
  };

  const what = (scope: StoreScope): string => (scope.kind === "task" ? "task state" : "asset state");

  const store: StateStore = {
    backend,
    capabilities,
    workerBackend,

    async get(scope, key) {
      return (await store.getEntry(scope, key))?.value ?? null;
    },

    async getEntry(scope, key) {
      validateKey(key);
      const entry = await readLive(scope, key);
      return entry === null ? null : toEntry(scope, entry, true);
    },

    async require(scope, key) {
      const entry = await store.getEntry(scope, key);
      if (entry === null) throw keyNotFound(scope, key);
      return entry;
    },

    async set(scope, key, value, options = {}) {
      validateKey(key);
      const spec = conditionOf(options);
      const style = options.conditionStyle ?? "options";
      if (spec !== null) requireCompareAndSet();
      const base = setOptionsOf(scope, options);
      const encoded = await encode(scope, key, value, options, spec !== null);
      const text = encoded.stored;
      if (spec === null) {
        await backend.set(scope, key, text, base);
        reportWritten(scope, encoded);
        return { version: null };
      }
      const condition = await pin(scope, key, spec, style);
      await guarded(scope, key, spec, style, () => backend.set(scope, key, text, { ...base, ...condition }));
      reportWritten(scope, encoded);
      // Versions grow by one per write from 1 and start again at 1 after an expiry or delete.
      return { version: "ifVersion" in condition ? condition.ifVersion + 1 : 1 };
    },

    async put(scope, key, value, options = {}) {
      await store.set(scope, key, value, options);
      const entry = await readLive(scope, key);
      if (entry === null) throw writtenThenDeleted(key);
      return toEntry(scope, entry, false);
    },

    async replace(scope, key, value, options = {}) {
      validateKey(key);
      const spec = conditionOf(options);
      const style = options.conditionStyle ?? "options";
      if (spec !== null) requireCompareAndSet();
      const encoded = await encode(scope, key, value, options, spec !== null);
      const text = encoded.stored;
      for (let attempt = 1; ; attempt++) {
        const current = await readLive(scope, key);
        if (current === null) throw keyNotFound(scope, key);
        if (spec?.kind === "absent") throw conditionFailed(key, spec, current.version, style);
        let expected: number | undefined;
        if (spec !== null) expected = versionToPin(key, spec, current, style);
        else if (capabilities.compareAndSet && current.version !== null) expected = current.version;
        const base: SetOptions =
          scope.kind === "task"
            ? { expiresAt: current.expiresAt }
            : options.writer === undefined
              ? {}
              : { writer: options.writer };
        try {
          await backend.set(scope, key, text, {
            ...base,
            ...(expected === undefined ? {} : { ifVersion: expected }),
          });
          reportWritten(scope, encoded);
          break;
        } catch (error) {
          if (!isStateStoreError(error, "CONFLICT")) throw error;
          if (spec !== null) throw await failure(scope, key, spec, style);
          if (attempt >= REPLACE_ATTEMPTS) {
            throw await failure(scope, key, { kind: "version", versions: [expected ?? 0] }, style);
          }
        }
      }
      const entry = await readLive(scope, key);
      if (entry === null) throw writtenThenDeleted(key);
      return toEntry(scope, entry, false);
    },

    async delete(scope, key, condition = {}) {
      validateKey(key);
      const spec = conditionOf(condition);
      const style = condition.conditionStyle ?? "options";
      if (spec === null) {
        await backend.delete(scope, key);
      } else if (spec.kind === "absent") {
        requireCompareAndSet();
        // Nothing to delete when no value exists; a live value fails the condition.
        const current = await readLive(scope, key);
        if (current !== null) throw conditionFailed(key, spec, current.version, style);
        return;
      } else {
        requireCompareAndSet();
        const condition = await pin(scope, key, spec, style);
        const options = "ifVersion" in condition ? { ifVersion: condition.ifVersion } : {};
        await guarded(scope, key, spec, style, () => backend.delete(scope, key, options));
      }
      await afterDatabase(`delete of ${what(scope)} key ${JSON.stringify(key)}`, () =>
        (workerBackend as WorkerStoreBackend).delete(scope, key),
      );
    },

    async clear(scope, options = {}) {
      await backend.clear(scope, options);
      await store.clearWorkerBackend(scope, options);
    },

    async clearWorkerBackend(scope, options = {}) {
      await afterDatabase(`clear of ${what(scope)}`, () =>
        (workerBackend as WorkerStoreBackend).clear(scope, options),
      );
    },

    async list(scope, options = {}) {
      if (!capabilities.listKeys) {
        throw notSupported(
          backend.name,
          "listing keys",
          "read single keys by name, or configure a server backend that lists keys (state_store.backend; the built-in MetastoreBackend does)",
        );
      }
      const { limit, offset } = checkPage(options);
      const prefix = options.prefix ?? "";
      if (typeof prefix !== "string") {
        throw new StateStoreError("INVALID_VALUE", "prefix must be a string", {
          details: { field: "prefix" },
        });
      }
      if (options.cursor !== undefined && typeof options.cursor !== "string") {
        throw new StateStoreError(
          "INVALID_VALUE",
          "cursor must be the nextCursor string of a previous page",
          {
            details: { field: "cursor" },
          },
        );
      }
      const result = await backend.list(scope, {
        prefix,
        limit,
        ...(options.cursor === undefined ? { offset } : { cursor: options.cursor }),
      });
      const kept = result.entries.filter((e) => live(scope, e) !== null);
      const entries = await Promise.all(kept.map((e) => toEntry(scope, e, false)));
      const dropped = result.entries.length - kept.length;
      return {
        entries,
        ...(result.total === undefined ? {} : { total: Math.max(0, result.total - dropped) }),
        nextCursor: result.nextCursor ?? null,
      };
    },

    async countKeys(scope) {
      if (!capabilities.listKeys) return 0;
      const first = await store.list(scope, { limit: 1 });
      if (first.total !== undefined) return first.total;
      // A backend that does not count: walk its pages. Keys only grow along a listing, so a page with
      // no key after the last one counted (a backend ignoring the cursor), or a cursor seen before, ends
      // the walk instead of looping forever.
      let count = 0;
      let last: string | undefined;
      let cursor: string | undefined;
      const seen = new Set<string>();
      for (;;) {
        const page = await backend.list(scope, {
          prefix: "",
          limit: MAX_PAGE_LIMIT,
          ...(cursor === undefined ? { offset: 0 } : { cursor }),
        });
        let advanced = false;
        for (const entry of page.entries) {
          if (last !== undefined && compareKeys(entry.key, last) <= 0) continue;
          last = entry.key;
          advanced = true;
          if (live(scope, entry) !== null) count++;
        }
        const next = page.nextCursor ?? null;
        if (next === null || !advanced || seen.has(next)) return count;
        seen.add(next);
        cursor = next;
      }
    },

    async cleanup(options = {}) {
      const inactiveAssets = options.inactiveAssets ?? (await settings.inactiveAssets?.());
      return backend.cleanup({ ...options, ...(inactiveAssets === undefined ? {} : { inactiveAssets }) });
    },

    async close() {
      try {
        await backend.close();
      } finally {
        if (workerBackend !== null && workerBackend !== (backend as unknown)) await workerBackend.close?.();
      }
    },
  };
  return instrumentation === undefined ? store : instrumented(store, instrumentation);
}

const conditional = (condition: WriteCondition | undefined): boolean =>
  condition !== undefined &&
  (condition.ifVersion !== undefined || condition.ifMatch !== undefined || condition.ifAbsent === true);

/** The store with every public operation wrapped in `instrumentation.operation`, reported once each. */
function instrumented(store: StateStore, instrumentation: StateStoreInstrumentation): StateStore {
  const backend = store.backend.name;
  const info = (
    operation: StateStoreOperationInfo["operation"],
    scope: StoreScope | null,
    condition?: WriteCondition,
  ): StateStoreOperationInfo => ({
    operation,
    scope: scope === null ? null : scope.kind,
    backend,
    conditional: conditional(condition),
  });
  return {
    backend: store.backend,
    capabilities: store.capabilities,
    workerBackend: store.workerBackend,
    get: (scope, key) => instrumentation.operation(info("get", scope), () => store.get(scope, key)),
    getEntry: (scope, key) => instrumentation.operation(info("get", scope), () => store.getEntry(scope, key)),
    require: (scope, key) => instrumentation.operation(info("get", scope), () => store.require(scope, key)),
    set: (scope, key, value, options) =>
      instrumentation.operation(info("set", scope, options), () => store.set(scope, key, value, options)),
    put: (scope, key, value, options) =>
      instrumentation.operation(info("put", scope, options), () => store.put(scope, key, value, options)),
    replace: (scope, key, value, options) =>
      instrumentation.operation(info("replace", scope, options), () =>
        store.replace(scope, key, value, options),
      ),
    delete: (scope, key, condition) =>
      instrumentation.operation(info("delete", scope, condition), () => store.delete(scope, key, condition)),
    clear: (scope, options) =>
      instrumentation.operation(info("clear", scope), () => store.clear(scope, options)),
    clearWorkerBackend: (scope, options) =>
      instrumentation.operation(info("clear_worker_backend", scope), () =>
        store.clearWorkerBackend(scope, options),
      ),
    list: (scope, options) =>
      instrumentation.operation(info("list", scope), () => store.list(scope, options)),
    countKeys: (scope) => instrumentation.operation(info("count_keys", scope), () => store.countKeys(scope)),
    cleanup: (options) => instrumentation.operation(info("cleanup", null), () => store.cleanup(options)),
    close: () => store.close(),
  };
}
