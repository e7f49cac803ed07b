import { taskScope } from "@tidemark/state";
import { describe, expect, it } from "vitest";
import { InMemoryStoreBackend } from "../src/in-memory-store-backend.js";
import { storeBackendSuite } from "../src/store-backend-suite.js";

storeBackendSuite({
  name: "InMemoryStoreBackend",
  create: () => ({ backend: new InMemoryStoreBackend() }),
  additionalTests: (create) => {
    describe("InMemoryStoreBackend clock", () => {
      it("expires keys by the clock it was given", async () => {
        let now = new Date("2001-01-01T00:00:00Z");
        const backend = new InMemoryStoreBackend({ now: () => now });
        const scope = taskScope({ dagId: "d", runId: "r", taskId: "t", mapIndex: -1 });
        await backend.set(scope, "k", "1", { expiresAt: new Date("2001-01-01T01:00:00Z") });
        expect(await backend.get(scope, "k")).toBe("1");
        now = new Date("2001-01-01T01:00:00Z");
        expect(await backend.get(scope, "k")).toBeNull();
        await backend.close();
      });
      it("sweeps the state of inactive assets on cleanup", async () => {
        const { backend } = await create();
        const gone = { kind: "asset", name: "gone" } as const;
        const kept = { kind: "asset", name: "kept" } as const;
        await backend.set(gone, "k", "1");
        await backend.set(kept, "k", "2");
        const report = await backend.cleanup({ inactiveAssets: [gone] });
        expect(report.deleted.asset_state_store).toBe(1);
        expect(await backend.get(gone, "k")).toBeNull();
        expect(await backend.get(kept, "k")).toBe("2");
        await backend.close();
      });
    });
  },
});
