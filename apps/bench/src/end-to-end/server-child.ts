import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { loadConfig } from "@tidemark/config";
import { createApiServer, createTaskInstance, issueTaskToken } from "@tidemark/core";
import { createNoopServer } from "./noop-server.js";
import type { EndToEndServerInput, EndToEndServerReady, EndToEndWorker } from "./server-protocol.js";

// The server side of the end-to-end benchmark, in its own process so that server and clients each get a
// CPU: the Tidemark API server (createApiServer, SQLite metastore, logging off) and the no-op Fastify
// server. Prints one JSON line (EndToEndServerReady) when both listen; stops on SIGTERM or when its
// parent's pipe closes.

const input = JSON.parse(process.argv[2] ?? "{}") as EndToEndServerInput;
const config = loadConfig({
  cwd: input.directory,
  env: {},
  overrides: {
    database: { url: `sqlite://${join(input.directory, "tidemark.db")}` },
    api: { secret_key: randomBytes(32).toString("base64url") },
    logging: { level: "error" },
  },
});
const server = await createApiServer({ config, cwd: input.directory, logger: false });
const noop = createNoopServer(input.value);
const stop = async () => {
  await Promise.allSettled([server.close(), noop.close()]);
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
process.stdin.on("end", () => void stop());
process.stdin.resume();

const workers: EndToEndWorker[] = [];
for (let i = 0; i < input.workers; i++) {
  const scope = { dagId: "bench_dag", runId: "bench_run", taskId: `worker_${i}`, mapIndex: -1 };
  const ti = await createTaskInstance(server.database, { ...scope, state: "running" });
  const token = await issueTaskToken({
    key: server.secretKey.key,
    taskInstanceId: ti.id,
    ttlSeconds: 86_400,
  });
  workers.push({ taskInstanceId: ti.id, token, scope });
}
const origin = await server.listen({ host: "127.0.0.1", port: 0 });
const noopOrigin = await noop.listen({ host: "127.0.0.1", port: 0 });
const ready: EndToEndServerReady = {
  apiUrl: `${origin}/execution`,
  noopUrl: `${noopOrigin}/execution`,
  workers,
};
process.stdout.write(`${JSON.stringify(ready)}\n`);
