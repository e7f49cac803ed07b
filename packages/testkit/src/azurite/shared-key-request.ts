import { createHmac } from "node:crypto";
import { request } from "node:http";

/** What {@link sharedKeyRequest} sends. */
export interface SharedKeyRequest {
  /** The blob endpoint with the account in its path: `http://127.0.0.1:<port>/<account>`. */
  readonly endpoint: string;
  readonly account: string;
  /** The base64 account key. */
  readonly key: string;
  readonly method: "GET" | "PUT" | "DELETE" | "HEAD";
  /** The path under the endpoint, for example `/container`. */
  readonly path: string;
  /** Query parameters, for example `{ restype: "container" }`. */
  readonly query?: Readonly<Record<string, string>>;
}

/**
 * Sends one body-less Blob service request signed with Shared Key (the emulator's path-style form), so
 * the harness can create and check containers without depending on an Azure SDK.
 *
 * @returns the HTTP status.
 */
export function sharedKeyRequest(options: SharedKeyRequest): Promise<number> {
  const url = new URL(`${options.endpoint}${options.path}`);
  const query = Object.entries(options.query ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [name, value] of query) url.searchParams.set(name, value);
  const headers: Record<string, string> = {
    "x-ms-date": new Date().toUTCString(),
    "x-ms-version": "2021-10-04",
  };
  const canonicalHeaders = Object.keys(headers)
    .sort()
    .map((name) => `${name}:${headers[name]}\n`)
    .join("");
  const canonicalResource =
    `/${options.account}${url.pathname}` +
    query.map(([name, value]) => `\n${name.toLowerCase()}:${value}`).join("");
  // VERB, then eleven standard headers (all empty for a body-less request), then the canonical parts.
  const toSign = `${options.method}\n${"\n".repeat(11)}${canonicalHeaders}${canonicalResource}`;
  const signature = createHmac("sha256", Buffer.from(options.key, "base64"))
    .update(toSign, "utf8")
    .digest("base64");
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method,
        headers: { ...headers, authorization: `SharedKey ${options.account}:${signature}` },
      },
      (res) => {
        res.resume();
        res.once("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.once("error", reject);
    req.end();
  });
}
