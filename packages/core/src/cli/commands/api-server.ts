import { StateStoreError } from "@tidemark/state";
import type { Command } from "commander";
import { createApiServer } from "../../api/create-api-server.js";
import {
  formatStartupBanner,
  inspectDatabaseTarget,
  summarizeWorkerBackend,
} from "../../api/startup-banner.js";
import { cliContext } from "../cli-context.js";

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n > 65_535) {
    throw new StateStoreError(
      "INVALID_VALUE",
      `--port must be an integer from 0 to 65535 (0 picks a free port), got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

/** Resolves on the first SIGTERM or SIGINT, with the signal's name. */
function nextStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
      resolve(signal);
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
}

/**
 * Registers `tidemark api-server [--host H] [--port P] [--ui-dir DIR] [--quiet]`: migrates the metastore,
 * serves the Execution API under `/execution`, the Core REST API and the UI, prints `tidemark api-server
 * listening on http://HOST:PORT` on stdout (the first line, so scripts can read the port of `--port 0`)
 * followed, unless `--quiet`, by a short summary (database, backends, auth, UI; see
 * `formatStartupBanner`), and stops cleanly on SIGTERM or SIGINT. Logs stay pino JSON on stderr.
 *
 * @param program - the root command.
 */
export function registerApiServerCommand(program: Command): void {
  program
    .command("api-server")
    .description(
      "Serve the Execution API (/execution), the Core REST API (/api/v2) and the UI (/ui/) over HTTP until SIGTERM or SIGINT",
    )
    .option("--host <host>", "address to bind (default: api.host, 127.0.0.1)")
    .option("--port <port>", "port to listen on; 0 picks a free one (default: api.port, 8080)")
    .option(
      "--ui-dir <dir>",
      "serve the built UI from this directory at /ui/ instead of the one bundled with @tidemark/core (default: api.ui_dir, else the bundled UI)",
    )
    .option("--quiet", "print only the listening line, not the start-up summary")
    .action(
      async (
        options: { host?: string; port?: string; uiDir?: string; quiet?: boolean },
        command: Command,
      ) => {
        const listenPort = options.port === undefined ? undefined : port(options.port);
        const { config, cwd, logger } = cliContext(command);
        // Before the server opens (and so creates) a SQLite file.
        const database = inspectDatabaseTarget(config.database.url, cwd);
        const server = await createApiServer({
          config,
          cwd,
          logger,
          ...(options.uiDir === undefined ? {} : { uiDir: options.uiDir }),
        });
        const stopped = nextStopSignal();
        let origin: string;
        try {
          origin = await server.listen({
            ...(options.host === undefined ? {} : { host: options.host }),
            ...(listenPort === undefined ? {} : { port: listenPort }),
          });
        } catch (error) {
          await server.close();
          throw error;
        }
        process.stdout.write(`tidemark api-server listening on ${origin}\n`);
        if (options.quiet !== true) {
          process.stdout.write(
            formatStartupBanner({
              origin,
              database,
              serverBackend: { backend: server.backend, spec: config.state_store.backend },
              workerBackend: await summarizeWorkerBackend(config, cwd),
              auth: { mode: config.api.auth, tokens: config.api.auth_tokens },
              ui: server.restApi.ui,
              metrics: { enabled: config.api.metrics, tokenRequired: config.api.metrics_token !== "" },
            }),
          );
        }
        const signal = await stopped;
        logger.info({ signal }, "stopping: draining requests and closing the metastore");
        await server.close();
        logger.info("tidemark api-server stopped");
      },
    );
}
