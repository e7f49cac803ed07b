// Child process of the lazy-loading test. Uses the built package, by name, the way a worker does:
//   node --import ./record-imports.mjs lazy-load-child.mjs file <dir-url>
//   node --import ./record-imports.mjs lazy-load-child.mjs s3 <s3-base>   (TIDEMARK_CONN_* in the env)
//   node --import ./record-imports.mjs lazy-load-child.mjs az <az-base>   (TIDEMARK_CONN_* in the env)
// and prints how many @aws-sdk and @azure modules are in the CommonJS cache as JSON.
import { createRequire } from "node:module";
import { StateStoreObjectStorageBackend } from "@tidemark/provider-common-io";

const [mode, path] = process.argv.slice(2);
const scope = { kind: "task", dagId: "d", runId: "r", taskId: "t", mapIndex: -1 };
const backend = new StateStoreObjectStorageBackend({ path, compression: "gzip" });
let error;
try {
  const ref = await backend.serializeTaskStateStoreToRef({ value: "v", text: '"v"', key: "k", scope });
  await backend.deserializeTaskStateStoreFromRef(ref);
  await backend.set(scope, "k2", "1", { expiresAt: new Date(Date.now() - 1000) });
  await backend.get(scope, "k2");
  await backend.list(scope);
  await backend.cleanup();
  await backend.clear(scope, { allMapIndices: true });
} catch (e) {
  error = e?.code ?? String(e);
}
await backend.close();
const cached = Object.keys(createRequire(import.meta.url).cache);
process.stdout.write(
  JSON.stringify({
    mode,
    error: error ?? null,
    sdkModulesInRequireCache: cached.filter((p) => p.includes("@aws-sdk")).length,
    azureModulesInRequireCache: cached.filter((p) => p.includes("@azure")).length,
  }),
);
