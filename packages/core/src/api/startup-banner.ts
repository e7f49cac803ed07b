import { existsSync, statSync } from "node:fs";
import type { TidemarkConfig } from "@tidemark/config";
import {
  type BaseStoreBackend,
  isStateStoreError,
  loadWorkerBackend,
  type StoreBackendCapabilities,
  type WorkerBackendCapabilities,
} from "@tidemark/state";
import { parseDatabaseUrl, redactDatabaseUrl } from "../database/database-url.js";
import type { ResolvedUiDir } from "./rest/ui-hosting.js";

/** The metastore as the banner shows it: where it is and whether it was there before start-up. */
export interface DatabaseTarget {
  /** The URL to print: the SQLite file's absolute path, or the Postgres URL with its password as `***`. */
  readonly display: string;
  /**
   * `new` (a SQLite file that did not exist or was empty before start-up), `existing`, `memory`
   * (`sqlite::memory:`), or null when it cannot be told (Postgres).
   */
  readonly state: "new" | "existing" | "memory" | null;
}

/**
 * Looks at `database.url` before the server opens it, so the banner can say whether a SQLite file was
 * just created: running from the wrong directory otherwise silently starts on a new, empty database.
 *
 * @param url - `database.url`.
 * @param cwd - the directory a relative SQLite path resolves against.
 * @returns what to print; an unparsable URL is shown redacted, with state null (opening it reports why).
 */
export function inspectDatabaseTarget(url: string, cwd: string): DatabaseTarget {
  let parsed: ReturnType<typeof parseDatabaseUrl>;
  try {
    parsed = parseDatabaseUrl(url, { cwd });
  } catch {
    return { display: redactDatabaseUrl(url), state: null };
  }
  if (parsed.dialect !== "sqlite") return { display: redactDatabaseUrl(url), state: null };
  if (parsed.memory) return { display: "sqlite::memory:", state: "memory" };
  const existing = existsSync(parsed.filename) && statSync(parsed.filename).size > 0;
  return { display: parsed.filename, state: existing ? "existing" : "new" };
}

/** The worker backend as the banner shows it. */
export type WorkerBackendSummary =
  | { readonly kind: "inline" }
  | {
      readonly kind: "loaded";
      readonly spec: string;
      readonly name: string;
      readonly capabilities: WorkerBackendCapabilities;
    }
  | { readonly kind: "unloadable"; readonly spec: string; readonly message: string };

/**
 * Loads `workers.state_store_backend` once to read its declared capabilities, then closes it. The
 * server never uses it, so a failure (say, credentials only the workers have) is reported, not thrown.
 *
 * @param config - the configuration.
 * @param cwd - where the module resolves from.
 * @returns inline (none configured), the loaded backend's name and capabilities, or why it did not load.
 */
export async function summarizeWorkerBackend(
  config: TidemarkConfig,
  cwd: string,
): Promise<WorkerBackendSummary> {
  const spec = config.workers.state_store_backend;
  if (spec === "") return { kind: "inline" };
  try {
    const backend = await loadWorkerBackend(spec, { config, cwd, option: "workers.state_store_backend" });
    const summary = {
      kind: "loaded" as const,
      spec,
      name: backend.name,
      capabilities: backend.workerCapabilities,
    };
    await backend.close?.().catch(() => {});
    return summary;
  } catch (error) {
    const message = isStateStoreError(error) || error instanceof Error ? error.message : String(error);
    return { kind: "unloadable", spec, message };
  }
}

/** What {@link formatStartupBanner} prints. */
export interface StartupBannerFacts {
  /** Where the server listens, e.g. `http://127.0.0.1:8080`. */
  readonly origin: string;
  /** From {@link inspectDatabaseTarget}, taken before the server opened the database. */
  readonly database: DatabaseTarget;
  /** The server backend and `state_store.backend` ("" = the built-in one). */
  readonly serverBackend: { readonly backend: BaseStoreBackend; readonly spec: string };
  /** From {@link summarizeWorkerBackend}. */
  readonly workerBackend: WorkerBackendSummary;
  /** `api.auth` and `api.auth_tokens`. */
  readonly auth: { readonly mode: "token" | "none"; readonly tokens: readonly string[] };
  /** Where the UI comes from, from `resolveUiDir`. */
  readonly ui: ResolvedUiDir;
  /** `api.metrics` and whether `api.metrics_token` is set; no metrics line when absent. */
  readonly metrics?: { readonly enabled: boolean; readonly tokenRequired: boolean };
}

const SERVER_CAPABILITIES: readonly [keyof StoreBackendCapabilities, string][] = [
  ["expiry", "expiry"],
  ["defaultExpiry", "default expiry"],
  ["compareAndSet", "compare-and-set"],
  ["listKeys", "list keys"],
  ["writerTracking", "writer tracking"],
];

function serverCapabilities(capabilities: StoreBackendCapabilities): string {
  const has = SERVER_CAPABILITIES.filter(([key]) => capabilities[key] === true).map(([, label]) => label);
  return has.length === 0 ? "no optional capabilities" : has.join(", ");
}

function databaseLine(database: DatabaseTarget): string {
  switch (database.state) {
    case "new":
      return `${database.display} (new, empty: created now; if you expected existing state, start from the directory holding it or set database.url)`;
    case "existing":
      return `${database.display} (existing)`;
    case "memory":
      return `${database.display} (in memory: state is lost when the server stops)`;
    default:
      return database.display;
  }
}

function workerLine(worker: WorkerBackendSummary): string {
  switch (worker.kind) {
    case "inline":
      return "none: workers store values inline (workers.state_store_backend is empty)";
    case "loaded": {
      const offloads = [
        ...(worker.capabilities.taskState ? ["task state"] : []),
        ...(worker.capabilities.assetState ? ["asset state"] : []),
      ];
      const what = offloads.length === 0 ? "offloads nothing" : `offloads ${offloads.join(" and ")}`;
      return `${worker.name} (${worker.spec}; ${what})`;
    }
    case "unloadable":
      return `${worker.spec} (could not be loaded here to read its capabilities: ${worker.message})`;
  }
}

function authLine(auth: StartupBannerFacts["auth"]): string {
  if (auth.mode === "none") {
    return 'none: anyone on this machine can read and write all state without a token (api.auth = "none", loopback only)';
  }
  const count = auth.tokens.filter((t) => t !== "").length;
  if (count === 0) {
    return "token, but api.auth_tokens is empty: every Core REST API request is refused; configure api.auth_tokens";
  }
  return `token (${count} ${count === 1 ? "token" : "tokens"} in api.auth_tokens)`;
}

function uiLine(origin: string, ui: ResolvedUiDir): string {
  if (ui.dir === null) return `none: ${ui.reason ?? "no UI was found"}`;
  const from = ui.source === "option" ? `from ${ui.dir} (--ui-dir / api.ui_dir)` : "bundled @tidemark/ui";
  return `${origin}/ui/ (${from})`;
}

function metricsLine(origin: string, metrics: NonNullable<StartupBannerFacts["metrics"]>): string {
  if (!metrics.enabled) return "off (api.metrics = false)";
  const access = metrics.tokenRequired
    ? "needs Authorization: Bearer <api.metrics_token>"
    : "no token needed (set api.metrics_token to require one)";
  return `${origin}/metrics (Prometheus text format; ${access})`;
}

/**
 * The human summary `tidemark api-server` prints on stdout once it listens: the database (SQLite file
 * path and whether it is new, or the Postgres URL with its password as `***`), the server and worker
 * backends with their declared capabilities, the auth mode, the UI's URL or why there is none, and where
 * the Prometheus metrics are and whether they need a token.
 * Secrets never appear: no password, no token.
 *
 * @param facts - what to describe.
 * @returns the lines, each ending in a newline.
 */
export function formatStartupBanner(facts: StartupBannerFacts): string {
  const { backend, spec } = facts.serverBackend;
  const rows: [string, string][] = [
    ["database", databaseLine(facts.database)],
    [
      "server backend",
      `${backend.name} (${spec === "" ? "built-in" : spec}; ${serverCapabilities(backend.capabilities)})`,
    ],
    ["worker backend", workerLine(facts.workerBackend)],
    ["auth", authLine(facts.auth)],
    ["UI", uiLine(facts.origin, facts.ui)],
    ...(facts.metrics === undefined
      ? []
      : [["metrics", metricsLine(facts.origin, facts.metrics)] as [string, string]]),
  ];
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return rows.map(([label, text]) => `  ${`${label}:`.padEnd(width)}${text}\n`).join("");
}
