// Writes one key `count` times through its own MetastoreBackend (its own SQLite connection), for the
// test of concurrent upserts from several processes. Usage: node upsert-worker.mjs URL COUNT
import { createDatabase, MetastoreBackend } from "../../dist/index.js";

const [url, count] = process.argv.slice(2);
const database = createDatabase(url);
const backend = new MetastoreBackend({ database });
const scope = { kind: "task", dagId: "dag", runId: "run", taskId: "task", mapIndex: -1 };
for (let i = 0; i < Number(count); i++) {
  await backend.set(scope, "contended", JSON.stringify({ pid: process.pid, i }));
  await backend.set({ kind: "asset", name: "shared" }, "watermark", String(i));
}
await database.close();
