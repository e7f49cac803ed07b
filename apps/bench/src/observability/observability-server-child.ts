import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { loadConfig } from "@tidemark/config";
import { createApiServer, withDatabaseSchema } from "@tidemark/core";
import { createBenchWorkers } from "../end-to-end/bench-workers.js";
import type {
  ObservabilityServerInput,
  ObservabilityServerReady,
  SpanCounts,
} from "./observability-protocol.js";
import { type RegisteredTracing, registerTracing } from "./tracing-sdk.js";

// One configuration of the observability benchmark in its own process: the Tidemark API server with
// `api.metrics` as asked and, when tracing is asked for, the OpenTelemetry SDK registered after the server
// is built (so its tracers must follow a late registration). A plain node:http control endpoint answers
// `GET /spans`. Prints one JSON line (ObservabilityServerReady) when it listens; stops on SIGTERM or when
// its parent's pipe closes.

const input = JSON.parse(process.argv[2] ?? "{}") as ObservabilityServerInput;
const databaseUrl =
  input.database.kind === "sqlite"
    ? `sqlite://${join(input.directory, "tidemark.db")}`
    : withDatabaseSchema(input.database.url, input.database.schema);
const config = loadConfig({
  cwd: input.directory,
  env: {},
  overrides: {
    database: { url: databaseUrl },
    api: {
      secret_key: randomBytes(32).toString("base64url"),
      metrics: input.metrics,
      auth: "token",
      auth_tokens: [input.restToken],
    },
    logging: { level: "error" },
  },
});
const server = await createApiServer({ config, cwd: input.directory, logger: false });
const tracing: RegisteredTracing | null = input.tracing ? registerTracing(input.sampleRatio) : null;

const noSpans: SpanCounts = { total: 0, byName: {} };
const control = createServer((request, response) => {
  if (request.method !== "GET" || request.url !== "/spans") {
    response.writeHead(404).end();
    return;
  }
  void (async () => {
    await tracing?.flush();
    response
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify(tracing?.exporter.counts() ?? noSpans));
  })();
});

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await Promise.allSettled([server.close(), new Promise((resolve) => control.close(resolve))]);
  await tracing?.unregister();
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
process.stdin.on("end", () => void stop());
process.stdin.resume();

const workers = await createBenchWorkers(server, input.workers);
const origin = await server.listen({ host: "127.0.0.1", port: 0 });
await new Promise<void>((resolve) => control.listen(0, "127.0.0.1", resolve));
const ready: ObservabilityServerReady = {
  origin,
  controlOrigin: `http://127.0.0.1:${(control.address() as AddressInfo).port}`,
  workers,
};
process.stdout.write(`${JSON.stringify(ready)}\n`);
