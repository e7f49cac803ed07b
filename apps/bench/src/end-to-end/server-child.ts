import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { loadConfig } from "@tidemark/config";
import { createApiServer } from "@tidemark/core";
import { createBenchWorkers } from "./bench-workers.js";
import { createNoopServer } from "./noop-server.js";
import type { EndToEndServerInput, EndToEndServerReady } from "./server-protocol.js";

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

const workers = await createBenchWorkers(server, input.workers);
const origin = await server.listen({ host: "127.0.0.1", port: 0 });
const noopOrigin = await noop.listen({ host: "127.0.0.1", port: 0 });
const ready: EndToEndServerReady = {
  apiUrl: `${origin}/execution`,
  noopUrl: `${noopOrigin}/execution`,
  workers,
};
process.stdout.write(`${JSON.stringify(ready)}\n`);
