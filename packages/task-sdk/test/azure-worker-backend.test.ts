import { loadConfig, type TidemarkConfig } from "@tidemark/config";
import { STATE_REF_KEY, taskScope, unwrapStateRef } from "@tidemark/state";
import { type AzuriteHandle, startAzurite } from "@tidemark/testkit/azurite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineTask, runTask, silentTaskLogger } from "../src/index.js";
import { startTidemarkServer, type TidemarkServer } from "./support/tidemark-server.js";

// The envelope round trip through the task SDK with Azure Blob (Azurite on loopback) as the worker
// backend's object store; the file:// twin is common-io-worker-backend.test.ts.

const CONN_ID = "azurite_sdk";

describe("the SDK with @tidemark/provider-common-io on az:// (Azurite)", () => {
  let s: TidemarkServer;
  let azurite: AzuriteHandle;
  let config: TidemarkConfig;
  const variable = `TIDEMARK_CONN_${CONN_ID.toUpperCase()}`;

  beforeAll(async () => {
    azurite = await startAzurite();
    // The worker backend reads its connection from the process environment, as a worker's would.
    process.env[variable] = azurite.connectionString;
    s = await startTidemarkServer({ config: { state_store: { clear_on_success: true } } });
    config = loadConfig({
      cwd: s.cwd,
      env: {},
      overrides: {
        workers: { state_store_backend: "@tidemark/provider-common-io#StateStoreObjectStorageBackend" },
        state_store: { clear_on_success: true },
        common_io: {
          state_store_objectstorage_path: `az://${CONN_ID}@${azurite.container}/state/`,
          state_store_objectstorage_threshold: 0,
          state_store_objectstorage_compression: "gzip",
        },
      },
    });
  });
  afterAll(async () => {
    delete process.env[variable];
    await s?.close();
    await azurite?.stop();
  });

  it("keeps only the envelope in the row, reads the value back from the blob, and clears it on success", async () => {
    const ti = await s.taskInstance({ taskId: "azure" });
    const scope = taskScope({ dagId: ti.dagId, runId: ti.runId, taskId: ti.taskId, mapIndex: ti.mapIndex });
    const value = { pages: Array.from({ length: 500 }, (_, i) => ({ i, cursor: `c${i}` })) };
    let ref = "";
    const task = defineTask({
      async execute(ctx) {
        await ctx.taskStateStore.set("checkpoint", value);
        const row = JSON.parse((await s.metastore.get(scope, "checkpoint")) as string);
        expect(Object.keys(row)).toEqual([STATE_REF_KEY]);
        ref = unwrapStateRef(row) as string;
        expect(await ctx.taskStateStore.get("checkpoint")).toEqual(value);
      },
    });
    const result = await runTask({
      client: await s.client(ti.id),
      taskInstanceId: ti.id,
      task,
      config,
      log: silentTaskLogger,
    });
    expect(result).toMatchObject({ state: "success" });
    expect(result.cleanupError).toBeUndefined();
    expect(ref.startsWith(`az://${CONN_ID}@${azurite.container}/state/`)).toBe(true);
    expect(ref.endsWith(".gz")).toBe(true);
    expect(await s.metastore.get(scope, "checkpoint")).toBeNull();
  });
});
