import type { BaseStoreBackend } from "@tidemark/state";
import { pingDatabase } from "../../database/ping-database.js";
import type { TidemarkDatabase } from "../../database/tidemark-database.js";
import { getMigrationStatus } from "../../migrations/migrate.js";

/** Milliseconds each readiness check may take before it counts as failed, by default. */
export const DEFAULT_READINESS_TIMEOUT_MS = 5000;

/** One checked part of the server, as {@link ReadinessProbe.check} reports it. */
export interface ReadinessComponent {
  /** `ok`, or `failed` (with a reason). */
  readonly status: "ok" | "failed";
  /** What failed and how to fix it; only when `failed`. */
  readonly reason?: string;
}

/** The server backend's check: its `ping()`. */
export interface BackendReadiness extends ReadinessComponent {
  /** The backend's name, for example `MetastoreBackend`. */
  readonly name: string;
}

/** The metastore schema's check: no migration pending. */
export interface MigrationsReadiness extends ReadinessComponent {
  /** The migrations not yet applied, oldest first; only when some are pending. */
  readonly pending?: string[];
}

/** What {@link ReadinessProbe.check} found; `GET /api/v2/monitor/readiness` answers it as JSON. */
export interface ReadinessReport {
  /** `ready` when every component is `ok`, else `not_ready`. */
  readonly status: "ready" | "not_ready";
  /** Each component's outcome. */
  readonly components: {
    /** One round trip to the metastore (`database.url`). */
    readonly metastore: ReadinessComponent;
    /** The server backend's `ping()` (`state_store.backend`). */
    readonly backend: BackendReadiness;
    /** No migration of the metastore is pending. */
    readonly migrations: MigrationsReadiness;
  };
}

/** Options of {@link ReadinessProbe}. */
export interface ReadinessProbeOptions {
  /** The metastore. */
  readonly database: TidemarkDatabase;
  /** The server backend. */
  readonly backend: BaseStoreBackend;
  /** Milliseconds each check may take; a check still running then counts as failed. Default 5000. */
  readonly timeoutMs?: number;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function messageOf(error: unknown): string {
  return oneLine((error as Error | null)?.message ?? String(error));
}

/** Runs `work`, failing with `late` when it has not settled after `ms`; a late outcome is dropped. */
function bounded<T>(work: () => Promise<T>, ms: number, late: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(late)), ms);
    timer.unref?.();
    Promise.resolve()
      .then(work)
      .then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
  });
}

/**
 * Decides whether the api-server can serve: the metastore answers (one round trip), the server backend
 * answers (`ping()`, see `capabilities.readiness`) and no migration is pending. Each check is bounded by
 * the timeout, so a hung database fails the check instead of hanging the caller. Calls made while a check
 * runs share it.
 */
export class ReadinessProbe {
  /** Milliseconds each check may take. */
  readonly timeoutMs: number;
  readonly #database: TidemarkDatabase;
  readonly #backend: BaseStoreBackend;
  #running: Promise<ReadinessReport> | undefined;
  #runningMetastore: Promise<ReadinessComponent> | undefined;

  /** @param options - the metastore, the server backend, the timeout of each check. */
  constructor(options: ReadinessProbeOptions) {
    this.#database = options.database;
    this.#backend = options.backend;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_READINESS_TIMEOUT_MS;
  }

  /**
   * Checks the metastore, the server backend and the migrations, concurrently.
   *
   * @returns the report; never rejects (a failure is a component's `reason`).
   */
  check(): Promise<ReadinessReport> {
    this.#running ??= this.#check().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /**
   * Checks the metastore only: one round trip, bounded by the timeout.
   *
   * @returns `ok`, or `failed` with the reason; never rejects.
   */
  checkMetastore(): Promise<ReadinessComponent> {
    this.#runningMetastore ??= this.#checkMetastore().finally(() => {
      this.#runningMetastore = undefined;
    });
    return this.#runningMetastore;
  }

  async #check(): Promise<ReadinessReport> {
    const [metastore, backend, migrations] = await Promise.all([
      this.checkMetastore(),
      this.#checkBackend(),
      this.#checkMigrations(),
    ]);
    const ready = [metastore, backend, migrations].every((c) => c.status === "ok");
    return { status: ready ? "ready" : "not_ready", components: { metastore, backend, migrations } };
  }

  async #checkMetastore(): Promise<ReadinessComponent> {
    const where = this.#database.displayUrl;
    try {
      await bounded(
        () => pingDatabase(this.#database),
        this.timeoutMs,
        `a round trip to the ${this.#database.dialect} metastore ${where} got no answer within ${this.timeoutMs} ms`,
      );
      return { status: "ok" };
    } catch (error) {
      return {
        status: "failed",
        reason: `${messageOf(error)}; check that the database of database.url is running and reachable from this server`,
      };
    }
  }

  async #checkBackend(): Promise<BackendReadiness> {
    const backend = this.#backend;
    const name = backend.name;
    try {
      await bounded(() => backend.ping(), this.timeoutMs, `no answer within ${this.timeoutMs} ms`);
      return { status: "ok", name };
    } catch (error) {
      return {
        status: "failed",
        name,
        reason: `the server backend ${name} is unavailable: ${messageOf(error)}; check that its store (state_store.backend, or the metastore for the built-in backend) is running and reachable`,
      };
    }
  }

  async #checkMigrations(): Promise<MigrationsReadiness> {
    let pending: string[];
    try {
      const status = await bounded(
        () => getMigrationStatus(this.#database),
        this.timeoutMs,
        `reading the migration status got no answer within ${this.timeoutMs} ms`,
      );
      pending = status.pending;
    } catch (error) {
      return {
        status: "failed",
        reason: `cannot tell whether migrations are pending: ${messageOf(error)}`,
      };
    }
    if (pending.length === 0) return { status: "ok" };
    const what = pending.length === 1 ? "1 migration is" : `${pending.length} migrations are`;
    return {
      status: "failed",
      pending,
      reason: `${what} pending (${pending.join(", ")}) on the metastore ${this.#database.displayUrl}; run "tidemark db migrate" (the api-server migrates at start-up unless told not to)`,
    };
  }
}

/**
 * Names each failed component of a report with its reason, on one line.
 *
 * @param report - a readiness report.
 * @returns for example `metastore: <reason>; migrations: <reason>`; empty when everything is ok.
 */
export function describeReadinessFailures(report: ReadinessReport): string {
  return Object.entries(report.components)
    .filter(([, component]) => component.status !== "ok")
    .map(([name, component]) => `${name}: ${component.reason ?? "failed"}`)
    .join("; ");
}
