import { createRequire } from "node:module";

/** How the `User-Agent` of the tidemark CLI's requests to an api-server starts. */
export const CLI_USER_AGENT_PREFIX = "tidemark-cli/";

/**
 * The `User-Agent` the tidemark CLI sends in `--api-url` mode, `tidemark-cli/<version>`: the server's
 * metrics count these requests as `api="cli"` rather than `rest`.
 *
 * @returns the header value.
 */
export function cliUserAgent(): string {
  let version = "0.0.0";
  try {
    version = (createRequire(import.meta.url)("../../package.json") as { version: string }).version;
  } catch {
    // An unpublished layout: the CLI still identifies itself.
  }
  return `${CLI_USER_AGENT_PREFIX}${version}`;
}
