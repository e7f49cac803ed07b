import { runStoreBackendConformance } from "../src/conformance.js";
import { InMemoryStoreBackend } from "../src/in-memory-store-backend.js";

let nextAssetId = 1;
const assetIds = new Map<string, number>();

runStoreBackendConformance("InMemoryStoreBackend", {
  create: () => new InMemoryStoreBackend(),
  prepareAssetScope: (_backend, asset, identity) => {
    if (identity === "assetId") {
      let id = assetIds.get(asset.name);
      if (id === undefined) {
        id = nextAssetId++;
        assetIds.set(asset.name, id);
      }
      return { kind: "asset", assetId: id };
    }
    return identity === "name" ? { kind: "asset", name: asset.name } : { kind: "asset", uri: asset.uri };
  },
});
