import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { loadConfig } from "@tidemark/config";
import { isStateStoreError, loadStoreBackend, taskScope } from "@tidemark/state";
import { tempDir } from "@tidemark/testkit/temp-dir";
import { describe, expect, it } from "vitest";
import { createDatabase } from "../src/database/create-database.js";
import { createTaskInstance } from "../src/metadata/task-instances.js";
import { createConfiguredStoreBackend } from "../src/metastore/create-configured-store-backend.js";
import { createMetastoreBackend, MetastoreBackend } from "../src/metastore/metastore-backend.js";
import { migrate } from "../src/migrations/migrate.js";
import { PACKAGE_DIR, requireBuilt } from "./support/built.js";

describe("createConfiguredStoreBackend", () => {
  it("builds MetastoreBackend on database.url when state_store.backend is empty, with the configured batch size", async () => {
    const dir = tempDir();
    try {
      const config = loadConfig({
        cwd: dir.path,
        env: {
          TIDEMARK__DATABASE__URL: "sqlite:state/t.db",
          TIDEMARK__STATE_STORE__STATE_CLEANUP_BATCH_SIZE: "500",
        },
      });
      const backend = await createConfiguredStoreBackend({ config, cwd: dir.path });
      expect(backend).toBeInstanceOf(MetastoreBackend);
      const metastore = backend as MetastoreBackend;
      expect(metastore.cleanupBatchSize).toBe(500);
      expect(metastore.database.url).toBe("sqlite:state/t.db");
      await migrate(metastore.database);
      await createTaskInstance(metastore.database, { dagId: "d", runId: "r", taskId: "t" });
      const scope = taskScope({ dagId: "d", runId: "r", taskId: "t" });
      await backend.set(scope, "k", "1");
      expect(await backend.get(scope, "k")).toBe("1");
      await backend.close();
    } finally {
      dir.remove();
    }
  });

  it("uses a database it is given and leaves it open on close", async () => {
    const database = createDatabase("sqlite::memory:");
    try {
      await migrate(database);
      const config = loadConfig({ env: {} });
      const backend = await createConfiguredStoreBackend({ config, database });
      expect((backend as MetastoreBackend).database).toBe(database);
      await backend.close();
      expect(await database.db.selectFrom("asset").selectAll().execute()).toEqual([]);
    } finally {
      await database.close();
    }
  });

  it("loads state_store.backend (module#export) as a definition that owns its configuration section", async () => {
    const dir = tempDir();
    try {
      const state = pathToFileURL(createRequire(import.meta.url).resolve("@tidemark/state")).href;
      writeFileSync(
        join(dir.path, "custom-backend.mjs"),
        `import { BaseStoreBackend, defineStoreBackend } from ${JSON.stringify(state)};
         class CustomBackend extends BaseStoreBackend {
           constructor(options, context) { super(); this.options = options; this.context = context; this.capabilities = { expiry: false, compareAndSet: false, listKeys: false }; }
           async get() { return null; } async set() {} async delete() {} async clear() {}
         }
         export const customBackend = defineStoreBackend({
           name: "custom", configSection: "custom",
           parseConfig: (section) => ({ greeting: String(section.greeting ?? "hello") }),
           create: (options, context) => new CustomBackend(options, context),
         });`,
      );
      const config = loadConfig({
        cwd: dir.path,
        env: {
          TIDEMARK__STATE_STORE__BACKEND: "./custom-backend.mjs#customBackend",
          TIDEMARK__CUSTOM__GREETING: "hi",
        },
      });
      const backend = (await createConfiguredStoreBackend({ config, cwd: dir.path })) as unknown as {
        options: unknown;
        context: { config: unknown; cwd: string };
      };
      expect(backend.constructor.name).toBe("CustomBackend");
      expect(backend.options).toEqual({ greeting: "hi" });
      expect(backend.context.config).toBe(config);
      expect(backend.context.cwd).toBe(dir.path);
      const missing = loadConfig({
        cwd: dir.path,
        env: { TIDEMARK__STATE_STORE__BACKEND: "./nope.mjs#Nope" },
      });
      const error = await createConfiguredStoreBackend({ config: missing, cwd: dir.path }).catch(
        (e: unknown) => e,
      );
      expect(isStateStoreError(error, "CONFIG_ERROR")).toBe(true);
      expect((error as Error).message).toContain("state_store.backend");
    } finally {
      dir.remove();
    }
  });

  it("MetastoreBackend itself loads as a module#export from the configuration (its static definition)", async () => {
    requireBuilt();
    const backend = await loadStoreBackend("@tidemark/core#MetastoreBackend", {
      config: { database: { url: "sqlite::memory:" }, state_store: { state_cleanup_batch_size: 3 } },
      cwd: PACKAGE_DIR,
    });
    expect(backend.name).toBe("MetastoreBackend");
    expect((backend as MetastoreBackend).cleanupBatchSize).toBe(3);
    await backend.close();
    const factory = createMetastoreBackend({ url: "sqlite::memory:" });
    expect(factory.cleanupBatchSize).toBe(10_000);
    await factory.close();
  });
});
