import { isStateStoreError, StateStoreError } from "@tidemark/state";
import { describeReadinessFailures, type ReadinessProbe } from "./readiness-probe.js";

function notReady(failures: string, components: Record<string, unknown>): StateStoreError {
  return new StateStoreError("BACKEND_UNAVAILABLE", `the api-server is not ready to serve: ${failures}`, {
    details: { components },
  });
}

/**
 * One attempt of the api-server's start-up check, for `runStartupCheck`: the metastore must answer, then
 * the migrations run (when `migrate` is given), then the whole readiness check must pass.
 *
 * @param options - the readiness probe; `migrate`: brings the metastore's schema up to date.
 * @returns the attempt: resolves when ready.
 * @throws StateStoreError `BACKEND_UNAVAILABLE` (from the attempt) naming each failed component and its
 *   reason, on one line; a migration's other errors (`CONFIG_ERROR`) unchanged.
 */
export function startupAttempt(options: {
  readonly probe: ReadinessProbe;
  readonly migrate?: (() => Promise<unknown>) | undefined;
}): () => Promise<void> {
  const { probe, migrate } = options;
  return async () => {
    const metastore = await probe.checkMetastore();
    if (metastore.status !== "ok") {
      throw notReady(`metastore: ${metastore.reason ?? "failed"}`, { metastore });
    }
    if (migrate !== undefined) {
      try {
        await migrate();
      } catch (error) {
        if (!isStateStoreError(error) || error.code !== "BACKEND_UNAVAILABLE") throw error;
        const reason = error.message.replace(/\s+/g, " ");
        throw notReady(`migrations: ${reason}`, { migrations: { status: "failed", reason } });
      }
    }
    const report = await probe.check();
    if (report.status !== "ready") throw notReady(describeReadinessFailures(report), report.components);
  };
}
