// The package's public surface: the runtime names the root and each subpath export, imported by name from
// the built package as a user imports it. Each list is exact, so adding or dropping an export is a
// deliberate change made here too (and in the README's API section).
import { beforeAll, describe, expect, it } from "vitest";
import { requireBuilt } from "./support/built.js";

const SURFACE: Readonly<Record<string, readonly string[]>> = {
  "@tidemark/core": [
    "DEFAULT_CLEANUP_BATCH_SIZE",
    "MetastoreBackend",
    "createApiServer",
    "createDagRun",
    "createDatabase",
    "createTaskInstance",
    "findTaskInstance",
    "getTaskInstance",
    "issueTaskToken",
    "issueWatcherToken",
    "migrate",
    "redactDatabaseUrl",
    "registerAsset",
    "resolveSecretKey",
    "setTaskInstanceState",
    "withDatabaseSchema",
  ],
  "@tidemark/core/metastore": [
    "ACCEPTED_DATABASE_URL_FORMS",
    "CleanupScheduler",
    "DEFAULT_CLEANUP_BATCH_SIZE",
    "DEFAULT_POSTGRES_POOL_SIZE",
    "DEFAULT_SQLITE_BUSY_TIMEOUT_MS",
    "MIGRATION_NAMES",
    "MetastoreBackend",
    "TASK_INSTANCE_STATES",
    "activateAsset",
    "cleanupLockFor",
    "cleanupMetastore",
    "createConfiguredStoreBackend",
    "createDagRun",
    "createDatabase",
    "createDatabaseFromKyselyDialect",
    "createMetastoreBackend",
    "createTaskInstance",
    "deactivateAsset",
    "deleteDagRun",
    "findTaskInstance",
    "getAssetById",
    "getAssetByName",
    "getAssetByUri",
    "getDagRun",
    "getMigrationStatus",
    "getTaskInstance",
    "isTaskInstanceState",
    "listAssets",
    "listDagRuns",
    "listTaskInstances",
    "migrate",
    "parseDatabaseUrl",
    "redactDatabaseUrl",
    "registerAsset",
    "resetDatabase",
    "setTaskInstanceState",
    "taskInstanceScope",
    "withDatabaseSchema",
  ],
  "@tidemark/core/server": [
    "DEFAULT_READINESS_TIMEOUT_MS",
    "DEFAULT_TOKEN_TTL_SECONDS",
    "EXECUTION_API_PREFIX",
    "EXECUTION_TOKEN_AUDIENCE",
    "ExecutionStateService",
    "MIN_SECRET_KEY_LENGTH",
    "REST_API_PREFIX",
    "ReadinessProbe",
    "ReferenceSeal",
    "SECRET_KEY_FILE",
    "StateAdmin",
    "bodyLimitFor",
    "createApiServer",
    "createMetastoreExecutionMetadata",
    "executionApiPlugin",
    "issueTaskToken",
    "issueWatcherToken",
    "registerCoreRestApi",
    "resolveSecretKey",
    "verifyExecutionToken",
  ],
  "@tidemark/core/cli": ["COMMAND_REGISTRARS", "buildProgram", "commandGroup", "reportCliError", "runCli"],
};

describe("public surface", () => {
  beforeAll(() => requireBuilt());

  for (const [specifier, names] of Object.entries(SURFACE)) {
    it(`${specifier} exports exactly its listed runtime names`, async () => {
      const module: Record<string, unknown> = await import(specifier);
      expect(Object.keys(module).sort()).toEqual([...names].sort());
      for (const name of names) expect(module[name], name).toBeDefined();
    });
  }

  it("the root re-exports the same bindings its subpaths do", async () => {
    // By specifier string, as above: the built package is imported, not its types (absent before a build).
    const [root, metastore, server] = (await Promise.all(
      ["@tidemark/core", "@tidemark/core/metastore", "@tidemark/core/server"].map((s) => import(s)),
    )) as [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>];
    for (const name of Object.keys(root)) {
      const home = name in metastore ? metastore : server;
      expect(root[name], name).toBe(home[name]);
    }
  });
});
