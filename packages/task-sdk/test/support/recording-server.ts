import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request the recording server received. */
export interface RecordedRequest {
  readonly method: string;
  /** The raw path and query as sent (still percent-encoded). */
  readonly url: string;
  readonly authorization: string | undefined;
  readonly body: string;
}

/** A scripted answer. */
export interface ScriptedResponse {
  readonly status: number;
  readonly body?: unknown;
}

/**
 * A real HTTP server on 127.0.0.1 (port 0) for client unit tests that need no Tidemark server: it records
 * every request and answers from a script (then 204 for writes, 404 NOT_FOUND for reads).
 */
export interface RecordingServer {
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  /** Answers queued for the next requests, in order. */
  readonly script: ScriptedResponse[];
  close(): Promise<void>;
}

export async function startRecordingServer(): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const script: ScriptedResponse[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests.push({
        method: req.method ?? "",
        url: req.url ?? "",
        authorization: req.headers.authorization,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      const next =
        script.shift() ??
        (req.method === "GET"
          ? {
              status: 404,
              body: { detail: { reason: "not_found", message: "no such key", code: "NOT_FOUND" } },
            }
          : { status: 204 });
      if (next.body === undefined) {
        res.writeHead(next.status).end();
      } else {
        const text = typeof next.body === "string" ? next.body : JSON.stringify(next.body);
        res.writeHead(next.status, { "content-type": "application/json" }).end(text);
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
