import { join } from "node:path";
import type { TidemarkConfig } from "@tidemark/config";
import { type ApiServerProcess, startApiServerProcess } from "./api-server-process.js";
import { DEMO_HOME, serverEnvironment } from "./demo-config.js";

/** The api-server `--serve` keeps up, with the UI, on the demo's metastore. */
export interface ServedDemo {
  /** The server's origin, e.g. `http://127.0.0.1:43817`. */
  readonly url: string;
  /** The UI's address: `<url>/ui/`. */
  readonly uiUrl: string;
  /** Whether `GET /ui/` answered 200 (false: the server has no built UI to serve). */
  readonly uiAvailable: boolean;
  /** The server process. */
  readonly server: ApiServerProcess;
}

/**
 * Starts `tidemark api-server` for `--serve`: the demo's database, on 127.0.0.1 only, with
 * `api.auth = "none"` (the UI and the Core REST API need no sign-in), serving the UI @tidemark/core bundles (or `api.ui_dir`) at /ui/.
 *
 * @param options - working directory, environment, the demo's configuration, the port (0: a free one).
 * @returns the running server; stop it with `server.stop()`.
 * @throws Error when the server does not start (with the end of its log).
 */
export async function serveDemo(options: {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly config: TidemarkConfig;
  readonly port: number;
}): Promise<ServedDemo> {
  const { cwd, env, config } = options;
  const server = await startApiServerProcess({
    cwd,
    env: {
      ...env,
      ...serverEnvironment(config),
      // Anonymous access is accepted only on a loopback address; the host is pinned to 127.0.0.1.
      TIDEMARK__API__HOST: "127.0.0.1",
      TIDEMARK__API__PORT: String(options.port),
      TIDEMARK__API__AUTH: "none",
    },
    logFile: join(cwd, DEMO_HOME, "logs", "api-server.log"),
  });
  const uiUrl = `${server.url}/ui/`;
  let uiAvailable = false;
  try {
    const response = await fetch(uiUrl, { signal: AbortSignal.timeout(10_000) });
    await response.body?.cancel();
    uiAvailable = response.ok;
  } catch {
    uiAvailable = false;
  }
  return { url: server.url, uiUrl, uiAvailable, server };
}

/**
 * The lines `--serve` prints once the server is up.
 *
 * @param served - the server.
 * @returns the text, ending with a newline.
 */
export function serveBanner(served: ServedDemo): string {
  return [
    "",
    `Serving the demo's state at ${served.url} (pid ${served.server.pid}, log ${served.server.logFile})`,
    served.uiAvailable
      ? `  UI        ${served.uiUrl}`
      : `  UI        not available: this api-server has no built UI (run \`pnpm build\`, then \`pnpm demo --serve\` again)`,
    `  REST API  ${served.url}/api/v2/assets`,
    `  CLI       pnpm tidemark state-store list --api-url ${served.url} --asset-name flights`,
    `No sign-in: api.auth = "none" on 127.0.0.1, so anyone on this machine can read and write state; Ctrl-C to stop.`,
    "",
  ].join("\n");
}
