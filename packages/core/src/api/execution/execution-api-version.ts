import { StateStoreError } from "@tidemark/state";

/** The request and response header that carries the Execution API version (reference: Airflow's Cadwyn setup). */
export const API_VERSION_HEADER = "airflow-api-version";

/**
 * The dated versions of Airflow's Execution API, oldest first (reference: the version bundle of Airflow's
 * `execution_api/versions`). A request names one of them, or any later date, in `Airflow-API-Version`.
 */
export const EXECUTION_API_VERSIONS = [
  "2025-04-11",
  "2025-04-28",
  "2025-05-20",
  "2025-08-10",
  "2025-09-23",
  "2025-10-27",
  "2025-11-05",
  "2026-04-06",
  "2026-06-30",
  "2026-10-30",
  "2026-11-13",
] as const;

/** The newest version: what a request without `Airflow-API-Version` gets. */
export const NEWEST_EXECUTION_API_VERSION: string =
  EXECUTION_API_VERSIONS[EXECUTION_API_VERSIONS.length - 1] ?? "2026-11-13";

/** The version that added the task and asset state store routes. */
export const STATE_STORE_SINCE_VERSION = "2026-06-30";

/** The version from which a missing dag run on a task state PUT is 404 (before it: 500). */
export const DAG_RUN_NOT_FOUND_SINCE_VERSION = "2026-10-30";

/** The version a request asked for and the one that serves it. */
export interface ResolvedApiVersion {
  /** The requested date as `YYYY-MM-DD` (echoed in the response header), or the newest when none was sent. */
  readonly requested: string;
  /** The newest known version not after the requested date; null when the date is before the oldest. */
  readonly served: string | null;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDate(text: string): boolean {
  const m = DATE.exec(text);
  if (m === null) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.toISOString().slice(0, 10) === text;
}

/**
 * Resolves an `Airflow-API-Version` header as Airflow's Cadwyn setup does: missing → the newest version; a
 * date that is not a version → the newest version before it ("waterfalling"); a date before the oldest
 * version serves no route.
 *
 * @param header - the header value, or undefined.
 * @returns the requested and served versions.
 * @throws StateStoreError `INVALID_VALUE` (422, like Airflow's header validation) when the value is not a
 *   `YYYY-MM-DD` date; the message lists the supported versions.
 */
export function resolveApiVersion(header: string | undefined): ResolvedApiVersion {
  if (header === undefined) {
    return { requested: NEWEST_EXECUTION_API_VERSION, served: NEWEST_EXECUTION_API_VERSION };
  }
  const requested = header.trim();
  if (!isCalendarDate(requested)) {
    throw new StateStoreError(
      "INVALID_VALUE",
      `header Airflow-API-Version ${JSON.stringify(header)} is not a date (YYYY-MM-DD); send one of ${EXECUTION_API_VERSIONS.join(", ")}, or omit it for the newest`,
      { details: { field: "Airflow-API-Version", supported: EXECUTION_API_VERSIONS } },
    );
  }
  let served: string | null = null;
  for (const version of EXECUTION_API_VERSIONS) if (version <= requested) served = version;
  return { requested, served };
}
