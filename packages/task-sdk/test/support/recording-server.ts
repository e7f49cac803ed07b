import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SCRIPTED_ANSWER_HEADER } from "@tidemark/testkit/airflow-wire";

/** One request the recording server received. */
export interface RecordedRequest {
  readonly method: string;
  /** The raw path and query as sent (still percent-encoded). */
  readonly url: string;
  readonly authorization: string | undefined;
  readonly body: string;
  /** The request headers (lower-case names). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** A scripted answer. */
export interface ScriptedResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Options of {@link startRecordingServer}. */
export interface RecordingServerOptions {
  /**
   * The extensions advertised in `Tidemark-Extensions` on every answer and at `GET /tidemark/extensions`
   * (answered without recording or using the script); null for a server with none. Default
   * `conditional-requests, default-expiry`.
   */
  readonly extensions?: readonly string[] | null;
}

/**
 * A real HTTP server on 127.0.0.1 (port 0) for client unit tests that need no Tidemark server: it records
 * every request and answers from a script (then 204 for writes, 404 NOT_FOUND for reads), advertising
 * Tidemark extensions as a Tidemark server does.
 */
export interface RecordingServer {
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  /** Answers queued for the next requests, in order. */
  readonly script: ScriptedResponse[];
  close(): Promise<void>;
}

export async function startRecordingServer(options: RecordingServerOptions = {}): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const script: ScriptedResponse[] = [];
  const extensions =
    options.extensions === undefined ? ["conditional-requests", "default-expiry"] : options.extensions;
  const advertised: Record<string, string> =
    extensions === null ? {} : { "tidemark-extensions": extensions.join(", ") };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.url === "/execution/tidemark/extensions" && extensions !== null) {
        res
          .writeHead(200, { "content-type": "application/json", ...advertised })
          .end(JSON.stringify({ extensions }));
        return;
      }
      requests.push({
        method: req.method ?? "",
        url: req.url ?? "",
        authorization: req.headers.authorization,
        body: Buffer.concat(chunks).toString("utf8"),
        headers: req.headers,
      });
      const next =
        script.shift() ??
        (req.method === "GET"
          ? {
              status: 404,
              body: { detail: { reason: "not_found", message: "no such key", code: "NOT_FOUND" } },
            }
          : { status: 204 });
      // Scripted answers imitate proxies and broken servers on purpose: the Airflow wire check skips them.
      const headers = { ...advertised, [SCRIPTED_ANSWER_HEADER]: "1", ...(next.headers ?? {}) };
      if (next.body === undefined) {
        res.writeHead(next.status, headers).end();
      } else {
        const text = typeof next.body === "string" ? next.body : JSON.stringify(next.body);
        res.writeHead(next.status, { "content-type": "application/json", ...headers }).end(text);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/execution`,
    requests,
    script,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
