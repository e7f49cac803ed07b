import type { TidemarkConfig } from "@tidemark/config";
import { issueTaskToken, issueWatcherToken, resolveSecretKey } from "@tidemark/core";

/** Mints Execution API tokens the way `tidemark task-instances token` does, without a process per token. */
export interface TokenIssuer {
  /** A task token: the Execution API routes of one task instance (and its declared assets). */
  taskToken(taskInstanceId: string): Promise<string>;
  /** A watcher token: asset state of one asset, no task instance (the report reads with it). */
  watcherToken(assetName: string): Promise<string>;
}

/** Lifetime of the demo's tokens, in seconds. */
export const TOKEN_TTL_SECONDS = 3600;

/**
 * Signs tokens with the api-server's key: `api.secret_key`, else `<cwd>/.tidemark/secret_key` (created
 * when missing, so resolve it before the server starts and both agree).
 *
 * @param config - the configuration (`api.secret_key`).
 * @param cwd - the api-server's working directory.
 * @returns the issuer.
 * @throws StateStoreError `CONFIG_ERROR` for a short `api.secret_key` or an unreadable key file.
 */
export function createTokenIssuer(config: TidemarkConfig, cwd: string): TokenIssuer {
  const { key } = resolveSecretKey(config, { cwd });
  return {
    taskToken: (taskInstanceId) => issueTaskToken({ key, taskInstanceId, ttlSeconds: TOKEN_TTL_SECONDS }),
    watcherToken: (assetName) =>
      issueWatcherToken({
        key,
        watcherId: "flights-demo-report",
        assets: [{ name: assetName }],
        ttlSeconds: TOKEN_TTL_SECONDS,
      }),
  };
}
